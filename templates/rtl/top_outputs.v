{# The top level's output section, included by rtl/top.v (view: emit/top_outputs.rs). #}
{%- for s in out.sources %}

    // ---- {{ s.name }} stream: {{ s.consumers }}
{%- if let Some(f) = s.fork %}
{%- for o in f.outs %}
    wire {{ o }}_valid, {{ o }}_ready;
{%- endfor %}
    sf_fork #(.N({{ f.outs.len() }})) u_{{ f.name }} (
        .aclk(aclk), .aresetn(aresetn), .s_valid({{ f.src }}_valid), .s_ready({{ f.src }}_ready),
        .m_valid({{ "{" }}{{ f.valids }}}), .m_ready({{ "{" }}{{ f.readys }}}));
{%- endif %}
{%- endfor %}
{%- for a in out.assigns %}
    assign {{ a.port }}_tdata  = {{ a.d }}_data;
    assign {{ a.port }}_tvalid = {{ a.hs }}_valid;
    assign {{ a.hs }}_ready = {{ a.port }}_tready;
    assign {{ a.port }}_tuser  = {{ a.d }}_sof;
    assign {{ a.port }}_tlast  = {{ a.d }}_eol;
{%- endfor %}
{%- for h in out.heads %}
{%- if let Some(j) = h.join %}
{%- for q in j.skews %}

    // Head {{ h.n }} skew FIFO of core {{ q.t }}, depth {{ j.depth }}: up to {{ j.repeat }} repeat pass(es) of difference.
    wire [{{ j.c }}:0] {{ q.q }}_data;
    wire {{ q.q }}_valid, {{ q.q }}_ready;
    wire [{{ j.count_bits - 1 }}:0] {{ q.q }}_count;
    sf_fifo #(.WIDTH({{ j.c + 1 }}), .DEPTH({{ j.depth }})) u_{{ q.q }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ "{" }}{{ q.x }}_sof, {{ q.x }}_data}), .s_valid({{ q.hs }}_valid), .s_ready({{ q.hs }}_ready),
        .m_data({{ q.q }}_data), .m_valid({{ q.q }}_valid), .m_ready({{ q.q }}_ready), .count({{ q.q }}_count));
{%- endfor %}

    // Head {{ h.n }} input: train0 ++ train1 (I = {{ j.c / 4 }}), one beat when both cores have one.
    wire [{{ 2 * j.c - 1 }}:0] h{{ h.n }}_in_data = {{ "{" }}{{ j.d1 }}, {{ j.d0 }}};
    wire h{{ h.n }}_in_sof = {{ j.sof0 }};
    wire h{{ h.n }}_in_valid = {{ j.a }}_valid && {{ j.b }}_valid;
    wire h{{ h.n }}_in_ready;
    assign {{ j.a }}_ready = h{{ h.n }}_in_ready && {{ j.b }}_valid;
    assign {{ j.b }}_ready = h{{ h.n }}_in_ready && {{ j.a }}_valid;
{%- endif %}

    // ---- head {{ h.n }}
    {{ h.module }} u_{{ h.name }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ h.data }}), .s_valid({{ h.hs }}_valid), .s_ready({{ h.hs }}_ready), .s_sof({{ h.sof }}),
        .m_axis_tdata({{ h.stream }}_tdata), .m_axis_tvalid({{ h.stream }}_tvalid), .m_axis_tready({{ h.stream }}_tready),
        .m_axis_tuser({{ h.stream }}_tuser), .m_axis_tlast({{ h.stream }}_tlast),
        {{ h.ports }}
    );
{%- endfor %}
