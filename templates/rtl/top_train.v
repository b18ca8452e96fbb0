{# The trainable cores' part of the top level, included by rtl/top.v (view: emit/train_top.rs). #}

    // ================= trainable cores
{%- for w in tr.cfg_wires %}
    wire [{{ w.bits - 1 }}:0] {{ w.name }};
{%- endfor %}

    // The input feeds the frozen stem and every trainable stem.
{%- let f = tr.input_fork %}{% include "rtl/top_fork.v" %}
{%- for s in tr.skews %}

    // ---- boundary {{ s.k }}: F_{{ s.k }} feeds the next frozen stage and the skew FIFO.
    // Skew FIFO depth {{ s.depth }}: {{ s.reason }}.
{%- let f = s.fork %}{% include "rtl/top_fork.v" %}
    wire [{{ s.bits - 1 }}:0] {{ s.q }}_data;
    wire {{ s.q }}_valid, {{ s.q }}_ready;
    wire [{{ s.count_bits - 1 }}:0] {{ s.q }}_count;
    sf_fifo #(.WIDTH({{ s.bits }}), .DEPTH({{ s.depth }})) u_{{ s.q }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ s.fw }}_data), .s_valid({{ s.fw }}_sk_valid), .s_ready({{ s.fw }}_sk_ready),
        .m_data({{ s.q }}_data), .m_valid({{ s.q }}_valid), .m_ready({{ s.q }}_ready),
        .count({{ s.q }}_count));
{%- endfor %}
{%- for st in tr.stages %}
{% include "rtl/top_train_stage.v" %}
{%- endfor %}
{%- for b in tr.blends %}

    // ---- boundary {{ b.k }}: blend (and core shuffle) of {{ b.c }} channels
{%- if let Some(f) = b.fork %}{% include "rtl/top_fork.v" %}{% endif %}
{%- for bl in b.blends %}
{%- if let Some(q) = bl.skew %}
    // Trainable-side skew FIFO, depth {{ q.depth }}: {{ q.extra }} extra frozen block(s) at this boundary.
    wire [{{ b.bits + 1 }}:0] {{ q.q }}_all;
    wire [{{ b.bits - 1 }}:0] {{ q.q }}_data;
    wire {{ q.q }}_valid, {{ q.q }}_ready, {{ q.q }}_sof, {{ q.q }}_eol;
    wire [{{ q.count_bits - 1 }}:0] {{ q.q }}_count;
    sf_fifo #(.WIDTH({{ b.bits + 2 }}), .DEPTH({{ q.depth }})) u_{{ q.q }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ "{" }}{{ bl.src }}_eol, {{ bl.src }}_sof, {{ bl.src }}_data}), .s_valid({{ bl.src }}_valid), .s_ready({{ bl.src }}_ready),
        .m_data({{ q.q }}_all), .m_valid({{ q.q }}_valid), .m_ready({{ q.q }}_ready), .count({{ q.q }}_count));
    assign {{ q.q }}_data = {{ q.q }}_all[{{ b.bits - 1 }}:0];
    assign {{ q.q }}_sof = {{ q.q }}_all[{{ b.bits }}];
    assign {{ q.q }}_eol = {{ q.q }}_all[{{ b.bits + 1 }}];
{%- endif %}
    wire [{{ b.bits - 1 }}:0] {{ bl.bl }}_data;
    wire [1:0] {{ bl.bl }}_side;
    wire {{ bl.bl }}_valid, {{ bl.bl }}_ready;
    sf_blend #(.CH({{ b.c }}), .SIDE_W(2)) u_{{ bl.bl }} (
        .aclk(aclk), .aresetn(aresetn),
        .f_data({{ b.f }}_data), .f_valid({{ bl.fv }}_valid), .f_ready({{ bl.fv }}_ready),
        .t_data({{ bl.w }}_data), .t_side({{ "{" }}{{ bl.w }}_eol, {{ bl.w }}_sof}), .t_valid({{ bl.w }}_valid), .t_ready({{ bl.w }}_ready),
        .alpha(train{{ bl.t }}_blend{{ b.k }}_alpha),
        .m_data({{ bl.bl }}_data), .m_side({{ bl.bl }}_side), .m_valid({{ bl.bl }}_valid), .m_ready({{ bl.bl }}_ready));
{%- endfor %}
{%- if let Some(x) = b.single %}
    wire [{{ b.bits - 1 }}:0] {{ x }}_data /* verilator public_flat_rd */;
    wire {{ x }}_valid /* verilator public_flat_rd */;
    wire {{ x }}_ready /* verilator public_flat_rd */;
    wire {{ x }}_sof, {{ x }}_eol;
    assign {{ x }}_data = train0_b{{ b.k }}_data;
    assign {{ x }}_valid = train0_b{{ b.k }}_valid;
    assign train0_b{{ b.k }}_ready = {{ x }}_ready;
    assign {{ x }}_sof = train0_b{{ b.k }}_side[0];
    assign {{ x }}_eol = train0_b{{ b.k }}_side[1];
{%- endif %}
{%- if let Some(f) = b.shuffle_fork %}
    // Core shuffle: both cores' blended beats leave together (join, then fork).
    wire sh{{ b.k }}_valid = train0_b{{ b.k }}_valid && train1_b{{ b.k }}_valid;
    wire sh{{ b.k }}_ready;
    assign train0_b{{ b.k }}_ready = sh{{ b.k }}_ready && train1_b{{ b.k }}_valid;
    assign train1_b{{ b.k }}_ready = sh{{ b.k }}_ready && train0_b{{ b.k }}_valid;
{%- for s in b.shuffle %}
    wire [{{ b.bits - 1 }}:0] {{ s.x }}_data /* verilator public_flat_rd */;
    wire {{ s.x }}_sof, {{ s.x }}_eol;
{%- endfor %}
{%- include "rtl/top_fork.v" %}
{%- for s in b.shuffle %}
    // T''_{{ s.t }} = T'_{{ s.t }}[0:C/2] ++ T'_{{ s.o }}[C/2:C] when BLEND{{ b.k }}_SHUFFLE is 1
    assign {{ s.x }}_data = blend{{ b.k }}_shuffle ? {{ "{" }}{{ s.other }}[{{ b.bits - 1 }}:{{ b.half }}], {{ s.me }}[{{ b.half - 1 }}:0]} : {{ s.me }};
    assign {{ s.x }}_sof = train0_b{{ b.k }}_side[0];
    assign {{ s.x }}_eol = train0_b{{ b.k }}_side[1];
{%- endfor %}
{%- endif %}
{%- endfor %}
{%- for r in tr.repeats %}
{%- for p in r.passes %}

    // ---- repeat pass {{ p.r }} of core {{ p.t }} (bank {{ p.r }}), bypassed unless n > {{ p.r }}
    wire train{{ p.t }}_pass{{ p.r }}_en = train{{ p.t }}_rep_n > {{ p.r }};
    wire train{{ p.t }}_pass{{ p.r }}_in_valid = {{ p.prev }}_valid && train{{ p.t }}_pass{{ p.r }}_en;
    wire train{{ p.t }}_pass{{ p.r }}_in_ready;
{%- let st = p.stage %}
{% include "rtl/top_train_stage.v" %}
    wire [{{ p.bits - 1 }}:0] train{{ p.t }}_pass{{ p.r }}_data = train{{ p.t }}_pass{{ p.r }}_en ? {{ p.w }}_data : {{ p.prev }}_data;
    wire train{{ p.t }}_pass{{ p.r }}_valid = train{{ p.t }}_pass{{ p.r }}_en ? {{ p.w }}_valid : {{ p.prev }}_valid;
    wire train{{ p.t }}_pass{{ p.r }}_ready;
    wire train{{ p.t }}_pass{{ p.r }}_sof = train{{ p.t }}_pass{{ p.r }}_en ? {{ p.w }}_sof : {{ p.prev }}_sof;
    wire train{{ p.t }}_pass{{ p.r }}_eol = train{{ p.t }}_pass{{ p.r }}_en ? {{ p.w }}_eol : {{ p.prev }}_eol;
    assign {{ p.w }}_ready = train{{ p.t }}_pass{{ p.r }}_en && train{{ p.t }}_pass{{ p.r }}_ready;
    assign {{ p.prev }}_ready = train{{ p.t }}_pass{{ p.r }}_en ? train{{ p.t }}_pass{{ p.r }}_in_ready : train{{ p.t }}_pass{{ p.r }}_ready;
{%- endfor %}

    // ---- core {{ r.t }} after the repeat block
    wire [{{ r.out_bits - 1 }}:0] train{{ r.t }}_out_data = {{ r.last }}_data;
    wire train{{ r.t }}_out_valid = {{ r.last }}_valid;
    wire train{{ r.t }}_out_ready;
    assign {{ r.last }}_ready = train{{ r.t }}_out_ready;
    wire train{{ r.t }}_out_sof = {{ r.last }}_sof;
    wire train{{ r.t }}_out_eol = {{ r.last }}_eol;
{%- endfor %}
