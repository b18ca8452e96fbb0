// sf_window_reader: line-buffer 3x3 windows read on demand, a channel group at a time
// (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     CH_BITS     bits per input pixel (8 * channels), >= 1.
//     WIDTH       input frame width in pixels, >= 1.
//     HEIGHT      input frame height in pixels, >= 1.
//     STRIDE      1 or 2.
//     GROUP_BITS  bits of one channel group, >= 1, dividing CH_BITS; group g is pixel bits
//                 [g*GROUP_BITS +: GROUP_BITS].
//     MID_BITS    bits of the centre-row read (rd_mid), 1..CH_BITS: pixel bits [MID_BITS-1:0].
//   Depends on sf_sram_1r1w.v (put both in the filelist).
//   Input  s_data/s_valid/s_ready/s_sof exactly as sf_window3x3: pixels in raster order,
//          WIDTH x HEIGHT per frame, s_sof only for resynchronisation (a start of frame that
//          arrives while the block is not at (0,0) is held until the current frame has been
//          completed with zero pixels). s_ready is a function of registers, except that it
//          falls combinationally with s_valid && s_sof in that resynchronisation case.
//   Windows  one window per output pixel, ceil(H/S) x ceil(W/S) per frame, in raster order.
//          Window (r,c) covers input pixels (S*r+i-1, S*c+j-1), i, j in 0..2, zero outside
//          the image. w_valid says a window is current; w_sof/w_eol/w_eof are its markers
//          (first window of a frame, last of an output row, last of the frame), stable while
//          w_valid. The consumer reads the window's columns and then pulses w_done (one clock,
//          only while w_valid) to release it; the next window becomes current no earlier than
//          the next clock. w_valid and the markers are registers.
//   Reads  rd_en (only while w_valid, also allowed in the w_done clock) with rd_col = j in
//          0..2 and rd_grp = g reads column j of the current window: in the NEXT clock
//          rd_data[i*GROUP_BITS +: GROUP_BITS] holds group g of window element (i, j) for
//          rows i = 0..2, and rd_mid holds bits [MID_BITS-1:0] of element (1, j); zero outside
//          the image. Read data is valid in that one clock only (from the line memories'
//          output registers through the group and row multiplexers).
//   Throughput  the input side accepts one pixel per clock while line memory is free: a
//          window row's input rows are kept until the consumer has released the windows that
//          read them, column by column (an input row may overwrite column x of a row no
//          longer needed once the current window no longer reads column x). With a consumer
//          that releases each window within S*S*T - 2 clocks on average per output row (T the
//          clocks per input pixel), s_ready never falls in steady state.
//   Latency  the windows of output row r become current when input row min(S*r+1, H-1) is
//          complete, one clock after it (and one clock after the previous row's last release).
//   Reset  aresetn (synchronous, active low) clears positions, line-memory ownership and the
//          window state; memories and read-data registers are not reset.
//
// MICROARCHITECTURE
//   Four line memories (sf_sram_1r1w, WIDTH words of CH_BITS) used as a ring, as in
//   sf_window3x3: input row n goes to memory n mod 4. Instead of a window register (9 pixels)
//   the consumer re-reads the window's three columns for every channel group it needs, so the
//   registers stay a few bits wide however many channels a pixel has; a group is selected in
//   each memory's output before the memories are rotated into window rows.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_window_reader #(
    parameter integer CH_BITS    = 8,   // bits per pixel (8 * channels)
    parameter integer WIDTH      = 8,   // input frame width in pixels
    parameter integer HEIGHT     = 8,   // input frame height in pixels
    parameter integer STRIDE     = 1,   // 1 or 2
    parameter integer GROUP_BITS = 8,   // bits per channel group (divides CH_BITS)
    parameter integer MID_BITS   = 8,   // bits of the centre-row read
    // derived, do not override
    parameter integer NGRP = CH_BITS / GROUP_BITS,
    parameter integer GW   = (NGRP > 1) ? $clog2(NGRP) : 1
) (
    input  wire                    aclk,
    input  wire                    aresetn,
    // input pixel stream
    input  wire [CH_BITS-1:0]      s_data,
    input  wire                    s_valid,
    output wire                    s_ready,
    input  wire                    s_sof,
    // current window
    output wire                    w_valid,
    input  wire                    w_done,
    output wire                    w_sof,
    output wire                    w_eol,
    output wire                    w_eof,
    // column reads of the current window
    input  wire                    rd_en,
    input  wire [1:0]              rd_col,
    input  wire [GW-1:0]           rd_grp,
    output wire [3*GROUP_BITS-1:0] rd_data,
    output wire [MID_BITS-1:0]     rd_mid
);

  localparam integer CB = CH_BITS;
  localparam integer GB = GROUP_BITS;
  localparam integer WO = (WIDTH + STRIDE - 1) / STRIDE;       // windows per output row
  localparam integer XW = (WIDTH > 1) ? $clog2(WIDTH) : 1;      // input column index width
  localparam integer CW = (WO > 1) ? $clog2(WO) : 1;            // window column index width
  localparam integer YW = (HEIGHT < 3) ? 2 : $clog2(HEIGHT + 1);  // row counter width, >= 2
  localparam integer SXW = XW + 3;                              // signed read column width
  localparam [31:0] W_M1 = WIDTH - 1;
  localparam [31:0] WO_M1 = WO - 1;
  localparam [31:0] H_M1 = HEIGHT - 1;
  localparam [31:0] H_U = HEIGHT;
  localparam [31:0] S_U = STRIDE;
  localparam [XW-1:0] X_LAST = W_M1[XW-1:0];
  localparam [CW-1:0] C_LAST = WO_M1[CW-1:0];
  localparam [YW-1:0] Y_LAST = H_M1[YW-1:0];
  localparam [YW-1:0] Y_ROWS = H_U[YW-1:0];
  localparam [YW-1:0] Y_STRIDE = S_U[YW-1:0];
  localparam [1:0] SLOT_STRIDE = S_U[1:0];
  localparam [SXW-1:0] ONE_X = 1;

  // Elaboration-time parameter checks (ignored by synthesis).
`ifndef SYNTHESIS
  initial begin
    if (!(CH_BITS >= 1 && WIDTH >= 1 && HEIGHT >= 1 && (STRIDE == 1 || STRIDE == 2) &&
          GROUP_BITS >= 1 && CH_BITS % GROUP_BITS == 0 && MID_BITS >= 1 &&
          MID_BITS <= CH_BITS)) begin
      $display("%m: sf_window_reader parameters outside its CONTRACT:");
      $display("  CH_BITS=%0d WIDTH=%0d HEIGHT=%0d STRIDE=%0d GROUP_BITS=%0d MID_BITS=%0d",
               CH_BITS, WIDTH, HEIGHT, STRIDE, GROUP_BITS, MID_BITS);
      $finish;
    end
  end
`endif

  // ------------------------------------------------------------------ line memory ownership
  reg [3:0] full_q;        // memory holds a complete row that is still needed
  reg [3:0] rel_q;         // memory is released by the current output row (columns < k_q free)
  reg [XW-1:0] k_q;        // first input column the remaining windows of the row still read

  // ------------------------------------------------------------------ window state
  reg act_q;               // the windows of an output row are being handed out
  reg [CW-1:0] c_q;        // current window column
  reg [1:0] top_q;         // memory of input row S*r-1 for output row r (modulo 4)
  reg [YW-1:0] rem_q;      // HEIGHT - S*r, >= 1
  reg row0_q;              // output row r is row 0 of its frame

  // ------------------------------------------------------------------ input side
  reg [XW-1:0] in_col_q;
  reg [YW-1:0] in_row_q;
  reg [1:0] wslot_q;       // memory receiving the current input row
  reg pad_q;               // completing a truncated frame with zero pixels

  wire in_origin = (in_col_q == {XW{1'b0}}) && (in_row_q == {YW{1'b0}});
  wire in_eol = (in_col_q == X_LAST);
  wire in_eof = in_eol && (in_row_q == Y_LAST);
  wire wr_room = !full_q[wslot_q] || (rel_q[wslot_q] && (in_col_q < k_q));
  wire resync = s_valid && s_sof && !in_origin;
  assign s_ready = wr_room && !pad_q && !resync;
  wire wr_en = (s_valid && s_ready) || (pad_q && wr_room);
  // copies of pad_q, one per 16 data bits (kept apart in synthesis), so that no flip-flop
  // gates the whole pixel; the selects are written per 16-bit slice, not per bit, which
  // keeps the simulation model small
  localparam integer PREP = (CB + 15) / 16;
  reg [PREP-1:0] padz_q;
  wire [16*PREP-1:0] s_data_x;
  assign s_data_x[CB-1:0] = s_data;
  generate
    if (16 * PREP > CB) begin : g_data_pad
      assign s_data_x[16*PREP-1:CB] = {(16 * PREP - CB){1'b0}};
    end
  endgenerate
  wire [16*PREP-1:0] wr_data_x;
  wire [CB-1:0] wr_data = wr_data_x[CB-1:0];
  wire unused_wr_data_x = &{1'b0, wr_data_x, 1'b0};
  genvar gp;
  generate
    for (gp = 0; gp < PREP; gp = gp + 1) begin : g_padz
      (* keep *) always @(posedge aclk) begin
        if (!aresetn) padz_q[gp] <= 1'b0;
        else if (resync && !pad_q) padz_q[gp] <= 1'b1;
        else if (wr_en && in_eof) padz_q[gp] <= 1'b0;
      end
      assign wr_data_x[16*gp +: 16] = s_data_x[16*gp +: 16] & {16{!padz_q[gp]}};
    end
  endgenerate

  always @(posedge aclk) begin
    if (!aresetn) begin
      in_col_q <= {XW{1'b0}};
      in_row_q <= {YW{1'b0}};
      wslot_q  <= 2'd0;
      pad_q    <= 1'b0;
    end else begin
      if (resync && !pad_q) begin
        pad_q <= 1'b1;
      end
      if (wr_en) begin
        if (in_eol) begin
          in_col_q <= {XW{1'b0}};
          wslot_q  <= wslot_q + 2'd1;
          if (in_eof) begin
            in_row_q <= {YW{1'b0}};
            pad_q    <= 1'b0;
          end else begin
            in_row_q <= in_row_q + 1'b1;
          end
        end else begin
          in_col_q <= in_col_q + 1'b1;
        end
      end
    end
  end

  // ------------------------------------------------------------------ window control
  wire [1:0] need_slot = top_q + ((rem_q >= 2) ? 2'd2 : 2'd1);  // memory of row min(S*r+1,H-1)
  wire row_ready = full_q[need_slot];
  wire last_row = (rem_q <= Y_STRIDE);
  wire [2:0] rmask = {(rem_q >= 2), 1'b1, !row0_q};
  wire [2:0] relm = {last_row && (rem_q >= 2), (STRIDE == 2) || last_row, !row0_q};
  wire last_col = (c_q == C_LAST);
  wire done = w_done && act_q;

  // read column S*c - 1 + j (signed) and the next window's first column
  wire [SXW-1:0] cx = { {(SXW - CW){1'b0}}, c_q};
  wire [SXW-1:0] sx = (STRIDE == 2) ? {cx[SXW-2:0], 1'b0} : cx;
  wire signed [SXW-1:0] rd_x = $signed(sx) - $signed(ONE_X) +
                               $signed({ {(SXW - 2){1'b0}}, rd_col});
  // first column the next window reads, S*(c+1)-1 (< WIDTH while c is not the last column)
  wire [XW-1:0] k_next = (STRIDE == 1) ? sx[XW-1:0] : (sx[XW-1:0] | ONE_X[XW-1:0]);
  wire [XW-1:0] raddr = rd_x[XW-1:0];
  wire unused_rd_x = &{1'b0, rd_x[SXW-1:XW], 1'b0};

  // whether column j of the current window lies inside the image, a register updated with
  // c_q so that the read enables (which fan out to every line-memory output bit) wait for
  // no adder or compare: column j = 0 is outside only in window column 0, and only the last
  // window column can reach past the right edge (S*c + 1 <= WIDTH - 1 for every other c)
  localparam integer LAST_X = STRIDE * (WO - 1) - 1;  // column j = 0 of the last window
  localparam [2:0] LAST_IN = {LAST_X + 2 <= WIDTH - 1, LAST_X + 1 <= WIDTH - 1, 1'b1};
  localparam [31:0] WO_M2 = WO - 2;
  localparam [CW-1:0] C_BEFORE_LAST = WO_M2[CW-1:0];
  function [2:0] cols_in;
    input first;  // window column 0
    input last;   // the last window column
    begin
      cols_in = (last ? LAST_IN : 3'b111) & (first ? 3'b110 : 3'b111);
    end
  endfunction
  reg [2:0] col_in_q;
  wire col_in = (rd_col == 2'd3) ? 1'b0 : col_in_q[rd_col];

  wire [1:0] slot0 = top_q;
  wire [1:0] slot1 = top_q + 2'd1;
  wire [1:0] slot2 = top_q + 2'd2;
  reg [3:0] rd_slots;
  reg [3:0] rel_slots;
  integer m;
  always @* begin
    for (m = 0; m < 4; m = m + 1) begin
      rd_slots[m] = (rmask[0] && (slot0 == m[1:0])) || (rmask[1] && (slot1 == m[1:0])) ||
                    (rmask[2] && (slot2 == m[1:0]));
      rel_slots[m] = (relm[0] && (slot0 == m[1:0])) || (relm[1] && (slot1 == m[1:0])) ||
                     (relm[2] && (slot2 == m[1:0]));
    end
  end

  wire [3:0] set_full = (wr_en && in_eol) ? (4'b0001 << wslot_q) : 4'b0000;
  wire [3:0] clr_full = (done && last_col) ? rel_slots : 4'b0000;

  always @(posedge aclk) begin
    if (!aresetn) begin
      full_q <= 4'b0000;
      rel_q  <= 4'b0000;
      k_q    <= {XW{1'b0}};
      act_q  <= 1'b0;
      c_q    <= {CW{1'b0}};
      col_in_q <= cols_in(1'b1, WO == 1);
      top_q  <= 2'd3;
      rem_q  <= Y_ROWS;
      row0_q <= 1'b1;
    end else begin
      full_q <= (full_q & ~clr_full) | set_full;
      if (!act_q) begin
        if (row_ready) begin
          act_q <= 1'b1;
          c_q   <= {CW{1'b0}};
          col_in_q <= cols_in(1'b1, WO == 1);
          k_q   <= {XW{1'b0}};
          rel_q <= rel_slots;
        end
      end else if (done) begin
        if (last_col) begin
          // row done: the rows the next output row does not need are free
          act_q  <= 1'b0;
          rel_q  <= 4'b0000;
          row0_q <= last_row;
          if (last_row) begin
            top_q <= top_q + rem_q[1:0];
            rem_q <= Y_ROWS;
          end else begin
            top_q <= top_q + SLOT_STRIDE;
            rem_q <= rem_q - Y_STRIDE;
          end
        end else begin
          c_q <= c_q + 1'b1;
          col_in_q <= cols_in(1'b0, c_q == C_BEFORE_LAST);
          k_q <= k_next;
        end
      end
    end
  end

  assign w_valid = act_q;
  assign w_sof = act_q && row0_q && (c_q == {CW{1'b0}});
  assign w_eol = act_q && last_col;
  assign w_eof = act_q && last_col && last_row;

  // ------------------------------------------------------------------ reads

  // Read-side selects, registered one-hot so that no flip-flop drives more than a few dozen
  // multiplexer inputs (the group select would otherwise fan out to every memory bit).
  localparam integer MREP = (MID_BITS + 15) / 16;  // copies of the centre-row select
  reg [NGRP-1:0] p_goh_q;        // one-hot group
  reg [11:0] p_soh_q;            // window row i reads memory m: bit 4*i + m (0 outside)
  reg [4*MREP-1:0] p_moh_q;      // centre row reads memory m: bit 4*k + m, copy k
  integer gi, ri, mi;
  always @(posedge aclk) begin
    if (rd_en) begin
      for (gi = 0; gi < NGRP; gi = gi + 1) begin
        p_goh_q[gi] <= (rd_grp == gi[GW-1:0]);
      end
      for (ri = 0; ri < 3; ri = ri + 1) begin
        for (mi = 0; mi < 4; mi = mi + 1) begin
          p_soh_q[4*ri+mi] <= col_in && rmask[ri] && (top_q + ri[1:0] == mi[1:0]);
        end
      end
    end
  end

  // centre-row select copies, each its own flip-flop (kept apart in synthesis); row 1 is
  // always inside the image
  genvar gk;
  generate
    for (gk = 0; gk < 4 * MREP; gk = gk + 1) begin : g_moh
      (* keep *) always @(posedge aclk) begin
        if (rd_en) p_moh_q[gk] <= col_in && (slot1 == gk[1:0]);
      end
    end
  endgenerate

  // memory m's word at rdat[m*CB +: CB]; its group p_goh at gsel[m*GB +: GB] (AND-OR);
  // its low MID_BITS bits, padded to whole 16-bit slices, at rdat_x[m*16*MREP +: 16*MREP]
  wire [4*CB-1:0] rdat;
  wire [4*GB-1:0] gsel;
  wire [4*16*MREP-1:0] rdat_x;
  wire [16*MREP-1:0] mid_x;
  assign rd_mid = mid_x[MID_BITS-1:0];
  wire unused_mid_x = &{1'b0, mid_x, 1'b0};
  genvar gm, gg, gb;
  generate
    for (gm = 0; gm < 4; gm = gm + 1) begin : g_line
      assign rdat_x[gm*16*MREP +: MID_BITS] = rdat[gm*CB +: MID_BITS];
      if (16 * MREP > MID_BITS) begin : g_mid_pad
        assign rdat_x[gm*16*MREP + MID_BITS +: 16 * MREP - MID_BITS] =
            {(16 * MREP - MID_BITS){1'b0}};
      end
      sf_sram_1r1w #(
          .WIDTH(CB),
          .DEPTH(WIDTH)
      ) u_line (
          .aclk (aclk),
          .we   (wr_en && (wslot_q == gm)),
          .waddr(in_col_q),
          .wdata(wr_data),
          .re   (rd_en && col_in && rd_slots[gm]),
          .raddr(raddr),
          .rdata(rdat[gm*CB +: CB])
      );
      // ors of group g: OR of groups 0..g, each ANDed with its one-hot select
      for (gg = 0; gg < NGRP; gg = gg + 1) begin : g_grp
        wire [GB-1:0] part = {GB{p_goh_q[gg]}} & rdat[gm*CB + gg*GB +: GB];
        wire [GB-1:0] ors;
        if (gg == 0) begin : g_first
          assign ors = part;
        end else begin : g_next
          assign ors = g_grp[gg-1].ors | part;
        end
      end
      assign gsel[gm*GB +: GB] = g_grp[NGRP-1].ors;
    end
    // window row i from the memory its one-hot select names (all zero outside the image)
    for (gm = 0; gm < 3; gm = gm + 1) begin : g_row
      assign rd_data[gm*GB +: GB] = ({GB{p_soh_q[4*gm+0]}} & gsel[0*GB +: GB]) |
                                    ({GB{p_soh_q[4*gm+1]}} & gsel[1*GB +: GB]) |
                                    ({GB{p_soh_q[4*gm+2]}} & gsel[2*GB +: GB]) |
                                    ({GB{p_soh_q[4*gm+3]}} & gsel[3*GB +: GB]);
    end
    // centre row, low MID_BITS bits; select copy k drives the 16 bits of slice k
    for (gb = 0; gb < MREP; gb = gb + 1) begin : g_mid
      assign mid_x[16*gb +: 16] = ({16{p_moh_q[4*gb+0]}} & rdat_x[0*16*MREP + 16*gb +: 16]) |
                                  ({16{p_moh_q[4*gb+1]}} & rdat_x[1*16*MREP + 16*gb +: 16]) |
                                  ({16{p_moh_q[4*gb+2]}} & rdat_x[2*16*MREP + 16*gb +: 16]) |
                                  ({16{p_moh_q[4*gb+3]}} & rdat_x[3*16*MREP + 16*gb +: 16]);
    end
  endgenerate

endmodule

`resetall
`default_nettype wire
