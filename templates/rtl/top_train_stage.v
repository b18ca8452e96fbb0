    // {{ st.name }}
    wire [{{ st.bits - 1 }}:0] {{ st.wire }}_data /* verilator public_flat_rd */;
    wire {{ st.wire }}_valid /* verilator public_flat_rd */;
    wire {{ st.wire }}_ready /* verilator public_flat_rd */;
    wire {{ st.wire }}_sof, {{ st.wire }}_eol;
    {{ st.module }} u_{{ st.wire }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ st.data }}), .s_valid({{ st.hs }}_valid), .s_ready({{ st.hs }}_ready), .s_sof({{ st.sof }}),
        .m_data({{ st.wire }}_data), .m_valid({{ st.wire }}_valid), .m_ready({{ st.wire }}_ready), .m_sof({{ st.wire }}_sof), .m_eol({{ st.wire }}_eol)
{%- for e in st.engines %},
        {{ e }}
{%- endfor %}
    );
