{% include "rtl/header.v" %}
//
// Register block of {{ top }} (docs: regmap.md, regmap.json, {{ c_header }}). Byte addresses,
// one 32-bit word per register or array element; writes need all four byte strobes.
// Unmapped addresses and partial writes answer SLVERR. Parameter arrays reset to the values
// of the model the RTL was generated from.
// Pipelined for the clock: the address of the access (wr_addr in a write request clock,
// else rd_addr) is decoded into registered one-hot element selects; a write lands one clock
// after its request, read data is an AND-OR over the selected element, registered: answers
// are sampled by sf_axil_regbus 1 clock (writes) and 2 clocks (reads) after the request, its
// WR_LAT and RD_LAT defaults. Every output is a register.

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

    // ---- stage 1: decode the address of this clock's access, registered
    wire [{{ addr_bits - 1 }}:0] addr = wr_en ? wr_addr : rd_addr;
    wire wr_word = wr_en && wr_strb == 4'hf;
    reg  err_clear_q;
    always @(posedge aclk) begin
        if (!aresetn) err_clear_q <= 1'b0;
        else err_clear_q <= wr_word && wr_addr == {{ addr_bits }}'h{{ control_hex }} && wr_data[0];
    end
    assign err_clear = err_clear_q;

    // system registers: one-hot hits, and their values sampled with the decode
    localparam integer NSYS = {{ system.len() }};
    reg [NSYS-1:0] sys_q;
    reg [31:0] sys_val_q;
    always @(posedge aclk) begin
        sys_q <= {
{%- for s in system %}
            addr == {{ addr_bits }}'h{{ s.offset_hex }}{% if !loop.last %},{% endif %}
{%- endfor %}
        };
        case (rd_addr)
{%- for s in system %}
            {{ addr_bits }}'h{{ s.offset_hex }}: sys_val_q <= {{ s.value }};
{%- endfor %}
            default: sys_val_q <= 32'd0;
        endcase
    end
{% for a in params %}
    // {{ a.name }} at 0x{{ a.offset_hex }}, {{ a.count }} x {{ a.bits }} bits
    localparam [{{ a.count * a.bits - 1 }}:0] {{ a.name }}_RESET = {
{%- for r in a.reset_lits %}
        {{ r }}{% if !loop.last %},{% endif %}
{%- endfor %}
    };
    wire {{ a.name }}_in = addr >= {{ addr_bits }}'h{{ a.offset_hex }} && addr < {{ addr_bits }}'h{{ a.end_hex }};
    wire {{ a.name }}_wa = wr_addr >= {{ addr_bits }}'h{{ a.offset_hex }} && wr_addr < {{ addr_bits }}'h{{ a.end_hex }};
    wire [{{ addr_bits - 1 }}:0] {{ a.name }}_off = addr - {{ addr_bits }}'h{{ a.offset_hex }};
    wire [{{ a.count - 1 }}:0] {{ a.name }}_hit;      // one-hot: the element addressed (registered)
    wire [{{ a.bits - 1 }}:0] {{ a.name }}_el [0:{{ a.count - 1 }}];
    // a write request in the previous clock, copied once per 48 elements
    wire [{{ a.we_copies - 1 }}:0] {{ a.name }}_wec;
    sf_fanout #(.N({{ a.we_copies }}), .W(1)) u_{{ a.name }}_we (
        .aclk(aclk), .aresetn(aresetn), .d(wr_word), .q({{ a.name }}_wec)
    );
    genvar {{ a.name }}_g;
    generate
        for ({{ a.name }}_g = 0; {{ a.name }}_g < {{ a.count }}; {{ a.name }}_g = {{ a.name }}_g + 1) begin : g_{{ a.name }}
            localparam [{{ a.index_bits - 1 }}:0] IDX = {{ a.name }}_g;
            reg [{{ a.bits - 1 }}:0] el_q;
            reg hit_q;
            always @(posedge aclk) begin
                hit_q <= {{ a.name }}_in && {{ a.name }}_off[{{ a.index_bits + 1 }}:2] == IDX;
                if (!aresetn) el_q <= {{ a.name }}_RESET[{{ a.name }}_g*{{ a.bits }} +: {{ a.bits }}];
                else if (hit_q && {{ a.name }}_wec[{{ a.name }}_g / 48]) el_q <= wr_data[{{ a.bits - 1 }}:0];
            end
            assign {{ a.name }}_hit[{{ a.name }}_g] = hit_q;
            assign {{ a.bus }}[{{ a.name }}_g*{{ a.bits }} +: {{ a.bits }}] = el_q;
            assign {{ a.name }}_el[{{ a.name }}_g] = el_q;
        end
    endgenerate
    reg {{ a.name }}_any_q;   // the access hits this array
    always @(posedge aclk) {{ a.name }}_any_q <= {{ a.name }}_in;
    // read: the selected element (AND-OR over the one-hot selects)
    reg [{{ a.bits - 1 }}:0] {{ a.name }}_rd;
    integer {{ a.name }}_i;
    always @(*) begin
        {{ a.name }}_rd = {{ a.bits }}'d0;
        for ({{ a.name }}_i = 0; {{ a.name }}_i < {{ a.count }}; {{ a.name }}_i = {{ a.name }}_i + 1) begin
            {{ a.name }}_rd = {{ a.name }}_rd | ({ {{ a.bits }}{ {{ a.name }}_hit[{{ a.name }}_i] } } & {{ a.name }}_el[{{ a.name }}_i]);
        end
    end
    wire unused_{{ a.name }} = &{1'b0, {{ a.name }}_off, 1'b0};
{% endfor %}
{%- for w in windows %}
    // {{ w.name }} at 0x{{ w.offset_hex }}, {{ w.count }} words: a registered request per access,
    // answered by the engine later (cfg_ack), with the read data in that clock.
    wire {{ w.name }}_in = addr >= {{ addr_bits }}'h{{ w.offset_hex }} && addr < {{ addr_bits }}'h{{ w.end_hex }};
    wire [{{ addr_bits - 1 }}:0] {{ w.name }}_off = addr - {{ addr_bits }}'h{{ w.offset_hex }};
    wire {{ w.name }}_wa = wr_addr >= {{ addr_bits }}'h{{ w.offset_hex }} && wr_addr < {{ addr_bits }}'h{{ w.end_hex }};
    reg  {{ w.name }}_any_q, {{ w.name }}_req_q, {{ w.name }}_we_q;
    reg  [{{ w.addr_bits - 1 }}:0] {{ w.name }}_addr_q;
    always @(posedge aclk) begin
        if (!aresetn) {{ w.name }}_req_q <= 1'b0;
        else {{ w.name }}_req_q <= {{ w.name }}_in && (wr_word || rd_en);
        {{ w.name }}_any_q <= {{ w.name }}_in;
        {{ w.name }}_we_q <= wr_en;
        {{ w.name }}_addr_q <= {{ w.name }}_off[{{ w.addr_bits + 1 }}:2];
    end
    assign {{ w.bus }}_cfg_req = {{ w.name }}_req_q;
    assign {{ w.bus }}_cfg_we = {{ w.name }}_we_q;
    assign {{ w.bus }}_cfg_addr = {{ w.name }}_addr_q;
    assign {{ w.bus }}_cfg_wdata = wr_data;
    wire unused_{{ w.name }} = &{1'b0, {{ w.name }}_off, 1'b0};
{%- endfor %}
{%- if !windows.is_empty() %}
    reg wr_wait_q, rd_wait_q, ack_q;
    always @(posedge aclk) begin
        if (!aresetn) ack_q <= 1'b0;
        else ack_q <= {% for w in windows %}{% if !loop.first %} || {% endif %}{{ w.bus }}_cfg_ack{% endfor %};
        wr_wait_q <= wr_strb == 4'hf && ({% for w in windows %}{% if !loop.first %} || {% endif %}{{ w.name }}_wa{% endfor %});
        rd_wait_q <= {% for w in windows %}{% if !loop.first %} || {% endif %}{{ w.name }}_in{% endfor %};
    end
    assign wr_wait = wr_wait_q;
    assign rd_wait = rd_wait_q;
    assign ack = ack_q;
{%- endif %}

    // write answer, from the decode (sampled one clock after the request)
    reg wr_ok_q;
    always @(posedge aclk) begin
        wr_ok_q <= wr_strb == 4'hf && (wr_addr == {{ addr_bits }}'h{{ control_hex }}{% for a in params %} || {{ a.name }}_wa{% endfor %}{% for w in windows %} || {{ w.name }}_wa{% endfor %});
    end
    assign wr_ok = wr_ok_q;

    // read answer: system registers, the parameter arrays (signed ones sign-extended) and
    // the window data of an acknowledged access; registered
    always @(posedge aclk) begin
        rd_data <= (|sys_q ? sys_val_q : 32'd0){% for a in params %}
                 | ({{ a.name }}_any_q ? {{ a.read_expr }} : 32'd0){% endfor %}{% for w in windows %}
                 | ({{ w.bus }}_cfg_ack ? {{ w.bus }}_cfg_rdata : 32'd0){% endfor %};
        rd_ok <= |sys_q{% for a in params %} || {{ a.name }}_any_q{% endfor %}{% for w in windows %} || {{ w.name }}_any_q{% endfor %};
    end

    wire unused_ok = &{1'b0, wr_data, 1'b0};

endmodule

`resetall
`default_nettype wire
