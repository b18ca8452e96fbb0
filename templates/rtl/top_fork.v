{#- An sf_fork of stream f.src to consumers f.outs (view: emit/train_top.rs ForkView). #}
{%- for o in f.outs %}
    wire {{ o }}_valid{{ f.attr }};
    wire {{ o }}_ready{{ f.attr }};
{%- endfor %}
    sf_fork #(.N({{ f.outs.len() }})) u_{{ f.name }} (
        .aclk(aclk), .aresetn(aresetn), .s_valid({{ f.src }}_valid), .s_ready({{ f.src }}_ready),
        .m_valid({{ "{" }}{{ f.valids }}}), .m_ready({{ "{" }}{{ f.readys }}}));
