{%- if programmable %}
    // its scale and bias: memories in the unit's order (configuration words {{ u.cfg_base }}..{{ u.cfg_end - 1 }})
    wire {{ u.p }}_dp_re = {{ u.p }}_take;
    wire {{ u.p }}_cfg_rd = cfg_rd_go && cfg_rd_unit == {{ units_w }}'d{{ u.number }};
    wire {{ u.p }}_cfg_wr = cfg_req && cfg_we && cfg_wr_unit == {{ units_w }}'d{{ u.number }};
    wire [{{ cfg_aw - 1 }}:0] {{ u.p }}_cfg_woff = cfg_addr - {{ cfg_aw }}'d{{ u.cfg_base }};
    wire [{{ cfg_aw - 1 }}:0] {{ u.p }}_cfg_roff = cfg_raddr_q - {{ cfg_aw }}'d{{ u.cfg_base }};
    wire [{{ u.pos_w - 1 }}:0] {{ u.p }}_raddr = {{ u.p }}_dp_re ? {{ u.p }}_pos_q : {{ u.p }}_cfg_roff[{{ u.pos_w }}:1];
    wire [31:0] {{ u.p }}_bias;
    wire [15:0] {{ u.p }}_scale;
    sf_sram_1r1w #(.WIDTH(32), .DEPTH({{ u.depth }})) u_{{ u.p }}_bias (
        .aclk(aclk), .we({{ u.p }}_cfg_wr && !cfg_addr[0]), .waddr({{ u.p }}_cfg_woff[{{ u.pos_w }}:1]),
        .wdata(cfg_wdata), .re({{ u.p }}_dp_re || {{ u.p }}_cfg_rd), .raddr({{ u.p }}_raddr),
        .rdata({{ u.p }}_bias));
    sf_sram_1r1w #(.WIDTH(16), .DEPTH({{ u.depth }})) u_{{ u.p }}_scale (
        .aclk(aclk), .we({{ u.p }}_cfg_wr && cfg_addr[0]), .waddr({{ u.p }}_cfg_woff[{{ u.pos_w }}:1]),
        .wdata(cfg_wdata[15:0]), .re({{ u.p }}_dp_re || {{ u.p }}_cfg_rd), .raddr({{ u.p }}_raddr),
        .rdata({{ u.p }}_scale));
    wire unused_{{ u.p }}_cfg = &{1'b0, {{ u.p }}_cfg_woff, {{ u.p }}_cfg_roff, 1'b0};
{%- else %}
    // its scale and bias: constants in the unit's order
    reg [31:0] {{ u.p }}_bias;
    reg [15:0] {{ u.p }}_scale;
    always @(posedge aclk) begin
        if ({{ u.p }}_take) begin
            case ({{ u.p }}_pos_q)
{%- for c in u.consts %}
                {{ u.pos_w }}'d{{ loop.index0 }}: begin {{ u.p }}_bias <= {{ c.bias }}; {{ u.p }}_scale <= {{ c.scale }}; end
{%- endfor %}
                default: begin {{ u.p }}_bias <= 32'd0; {{ u.p }}_scale <= 16'd0; end
            endcase
        end
    end
{%- endif %}
