{% include "rtl/header.v" %}
//
// Constant table of the {{ what }}.
// Layout: {{ layout }}.
// Registered output (one clock); entries not listed are zero (zero weights cost no table bits).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire         clk,
    input  wire [{{ aw - 1 }}:0] addr,
    output reg  [{{ bits - 1 }}:0] q
);

    always @(posedge clk) begin
        case (addr)
{%- for e in entries %}
            {{ aw }}'d{{ e.addr }}: q <= {{ e.value }};
{%- endfor %}
            default: q <= {{ bits }}'d0;
        endcase
    end

endmodule

`resetall
`default_nettype wire
