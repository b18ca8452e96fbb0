{% include "rtl/header.v" %}
//
// Register block of {{ top }} (docs: regmap.md, regmap.json, {{ c_header }}). Byte addresses,
// one 32-bit word per register or array element; writes need all four byte strobes.
// Unmapped addresses and partial writes answer SLVERR. Parameter arrays reset to the values
// of the model the RTL was generated from.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire          aclk,
    input  wire          aresetn,
    // register bus (sf_axil_regbus)
    input  wire          wr_en,
    input  wire [{{ addr_bits - 1 }}:0] wr_addr,
    input  wire [31:0]   wr_data,
    input  wire [3:0]    wr_strb,
    output wire          wr_ok,
    input  wire [{{ addr_bits - 1 }}:0] rd_addr,
    output reg  [31:0]   rd_data,
    output reg           rd_ok,
    // status
    input  wire [3:0]    status_err,
    input  wire [31:0]   frame_count,
    output wire          err_clear{% if !windows.is_empty() %},
    // memory windows: wait states (sf_axil_regbus)
    input  wire          rd_en,
    output wire          wr_wait,
    output wire          rd_wait,
    output wire          ack{% endif %}{% for w in windows %},
    // {{ w.name }}: {{ w.description }}
    output wire          {{ w.bus }}_cfg_req,
    output wire          {{ w.bus }}_cfg_we,
    output wire [{{ w.addr_bits - 1 }}:0] {{ w.bus }}_cfg_addr,
    output wire [31:0]   {{ w.bus }}_cfg_wdata,
    input  wire          {{ w.bus }}_cfg_ack,
    input  wire [31:0]   {{ w.bus }}_cfg_rdata{% endfor %}{% for a in params %},
    // {{ a.name }}: {{ a.description }}
    output wire [{{ a.count * a.bits - 1 }}:0] {{ a.bus }}{% endfor %}
);

    // Writes hit a parameter array when the word address is inside it.
    wire wr_word = wr_en && wr_strb == 4'hf;
    reg  err_clear_q;
    always @(posedge aclk) begin
        if (!aresetn) err_clear_q <= 1'b0;
        else err_clear_q <= wr_word && wr_addr == {{ addr_bits }}'h{{ control_hex }} && wr_data[0];
    end
    assign err_clear = err_clear_q;
{% for a in params %}
    // {{ a.name }} at 0x{{ a.offset_hex }}, {{ a.count }} x {{ a.bits }} bits
    localparam [{{ a.count * a.bits - 1 }}:0] {{ a.name }}_RESET = {
{%- for r in a.reset_lits %}
        {{ r }}{% if !loop.last %},{% endif %}
{%- endfor %}
    };
    wire {{ a.name }}_wsel = wr_word && wr_addr >= {{ addr_bits }}'h{{ a.offset_hex }} && wr_addr < {{ addr_bits }}'h{{ a.end_hex }};
    wire {{ a.name }}_rsel = rd_addr >= {{ addr_bits }}'h{{ a.offset_hex }} && rd_addr < {{ addr_bits }}'h{{ a.end_hex }};
{%- if a.count == 1 %}
    reg [{{ a.bits - 1 }}:0] {{ a.name }}_q;
    always @(posedge aclk) begin
        if (!aresetn) {{ a.name }}_q <= {{ a.name }}_RESET;
        else if ({{ a.name }}_wsel) {{ a.name }}_q <= wr_data[{{ a.bits - 1 }}:0];
    end
    assign {{ a.bus }} = {{ a.name }}_q;
    wire [{{ a.bits - 1 }}:0] {{ a.name }}_rd = {{ a.name }}_q;
{%- else %}
    // One register per element (a generate loop, not a loop over a register array).
    wire [{{ addr_bits - 1 }}:0] {{ a.name }}_woff = wr_addr - {{ addr_bits }}'h{{ a.offset_hex }};
    wire [{{ addr_bits - 1 }}:0] {{ a.name }}_roff = rd_addr - {{ addr_bits }}'h{{ a.offset_hex }};
    wire [{{ a.bits - 1 }}:0] {{ a.name }}_el [0:{{ a.count - 1 }}];
    genvar {{ a.name }}_g;
    generate
        for ({{ a.name }}_g = 0; {{ a.name }}_g < {{ a.count }}; {{ a.name }}_g = {{ a.name }}_g + 1) begin : g_{{ a.name }}
            localparam [{{ a.index_bits - 1 }}:0] IDX = {{ a.name }}_g;
            reg [{{ a.bits - 1 }}:0] el_q;
            always @(posedge aclk) begin
                if (!aresetn) el_q <= {{ a.name }}_RESET[{{ a.name }}_g*{{ a.bits }} +: {{ a.bits }}];
                else if ({{ a.name }}_wsel && {{ a.name }}_woff[{{ a.index_bits + 1 }}:2] == IDX) el_q <= wr_data[{{ a.bits - 1 }}:0];
            end
            assign {{ a.bus }}[{{ a.name }}_g*{{ a.bits }} +: {{ a.bits }}] = el_q;
            assign {{ a.name }}_el[{{ a.name }}_g] = el_q;
        end
    endgenerate
    wire [{{ a.bits - 1 }}:0] {{ a.name }}_rd = {{ a.name }}_el[{{ a.name }}_roff[{{ a.index_bits + 1 }}:2]];
    wire unused_{{ a.name }} = &{1'b0, {{ a.name }}_woff, {{ a.name }}_roff, 1'b0};
{%- endif %}
{% endfor %}
{%- for w in windows %}
    // {{ w.name }} at 0x{{ w.offset_hex }}, {{ w.count }} words: a request per access, answered
    // by the engine one clock later (cfg_ack), with the read data in that clock.
    wire {{ w.name }}_wa = wr_addr >= {{ addr_bits }}'h{{ w.offset_hex }} && wr_addr < {{ addr_bits }}'h{{ w.end_hex }};
    wire {{ w.name }}_ra = rd_addr >= {{ addr_bits }}'h{{ w.offset_hex }} && rd_addr < {{ addr_bits }}'h{{ w.end_hex }};
    wire {{ w.name }}_wsel = wr_word && {{ w.name }}_wa;
    wire [{{ addr_bits - 1 }}:0] {{ w.name }}_woff = wr_addr - {{ addr_bits }}'h{{ w.offset_hex }};
    wire [{{ addr_bits - 1 }}:0] {{ w.name }}_roff = rd_addr - {{ addr_bits }}'h{{ w.offset_hex }};
    assign {{ w.bus }}_cfg_req = {{ w.name }}_wsel || (rd_en && {{ w.name }}_ra);
    assign {{ w.bus }}_cfg_we = wr_en;
    assign {{ w.bus }}_cfg_addr = wr_en ? {{ w.name }}_woff[{{ w.addr_bits + 1 }}:2] : {{ w.name }}_roff[{{ w.addr_bits + 1 }}:2];
    assign {{ w.bus }}_cfg_wdata = wr_data;
    wire unused_{{ w.name }} = &{1'b0, {{ w.name }}_woff, {{ w.name }}_roff, 1'b0};
{%- endfor %}
{%- if !windows.is_empty() %}
    assign wr_wait = wr_strb == 4'hf && ({% for w in windows %}{% if !loop.first %} || {% endif %}{{ w.name }}_wa{% endfor %});
    assign rd_wait = {% for w in windows %}{% if !loop.first %} || {% endif %}{{ w.name }}_ra{% endfor %};
    assign ack = {% for w in windows %}{% if !loop.first %} || {% endif %}{{ w.bus }}_cfg_ack{% endfor %};
{%- endif %}

    assign wr_ok = wr_strb == 4'hf && (wr_addr == {{ addr_bits }}'h{{ control_hex }}{% for a in params %} || {{ a.name }}_wsel{% endfor %}{% for w in windows %} || {{ w.name }}_wa{% endfor %});

    // Read-back: system registers, then the parameter arrays (signed ones sign-extended).
    always @(*) begin
        rd_data = 32'd0;
        rd_ok = 1'b1;
        case (rd_addr)
{%- for s in system %}
            {{ addr_bits }}'h{{ s.offset_hex }}: rd_data = {{ s.value }};
{%- endfor %}
            default: begin
                rd_ok = 1'b0;
{%- for a in params %}
                if ({{ a.name }}_rsel) begin
                    rd_ok = 1'b1;
                    rd_data = {{ a.read_expr }};
                end
{%- endfor %}
{%- for w in windows %}
                if ({{ w.name }}_ra) begin
                    rd_ok = 1'b1;
                    rd_data = {{ w.bus }}_cfg_rdata;
                end
{%- endfor %}
            end
        endcase
    end

    wire unused_ok = &{1'b0, wr_data, 1'b0};

endmodule

`resetall
`default_nettype wire
