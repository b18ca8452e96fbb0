{% include "rtl/header.v" %}
//
// Constant table of the {{ what }}.
// Layout: {{ layout }}.
// Latency 2: `addr` presented in one clock selects `q` two clocks later. Each weight column
// has its own copy of the address register (kept apart in synthesis) so no flip-flop drives
// the whole table; entries not listed are zero (zero weights cost no table bits).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire         clk,
    input  wire [{{ aw - 1 }}:0] addr,
    output wire [{{ 8 * columns.len() - 1 }}:0] q
);
{% for c in columns %}
    // column {{ c.n }}
    reg [{{ aw - 1 }}:0] a{{ c.n }}_q;
    reg [7:0] q{{ c.n }}_q;
    (* keep *) always @(posedge clk) a{{ c.n }}_q <= addr;
    always @(posedge clk) begin
        case (a{{ c.n }}_q)
{%- for e in c.entries %}
            {{ aw }}'d{{ e.addr }}: q{{ c.n }}_q <= 8'h{{ e.value }};
{%- endfor %}
            default: q{{ c.n }}_q <= 8'h00;
        endcase
    end
    assign q[{{ 8 * c.n + 7 }}:{{ 8 * c.n }}] = q{{ c.n }}_q;
{% endfor %}
endmodule

`resetall
`default_nettype wire
