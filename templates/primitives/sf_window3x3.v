// sf_window3x3: line-buffer 3x3 window generator with zero padding (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     CH_BITS  bits per pixel (8 * channels), >= 1.
//     WIDTH    input frame width in pixels, >= 1.
//     HEIGHT   input frame height in pixels, >= 1.
//     STRIDE   1 or 2 (other values are not supported; the generator never uses them).
//     FO       data bits per copy of a window-wide control (default 48), >= 1.
//     WR_REG   0 (default) or 1: register the line memories' write port (see Latency).
//   Depends on sf_sram_1r1w.v and sf_fanout.v (put them in the filelist).
//   Input  s_data/s_valid/s_ready: pixels in raster order, exactly WIDTH x HEIGHT per frame
//          (the block counts positions itself; no tlast/tuser needed).
//          s_sof: start-of-frame marker sampled with each pixel, for resynchronisation only.
//          With s_sof = 1 at the first pixel of a frame (position (0,0)) nothing special
//          happens; s_sof = 0 there is also accepted. If s_sof = 1 arrives while the block is
//          NOT at (0,0), the block takes that pixel and holds it, completes the current frame
//          with zero pixels (one per clock, as line-memory space allows; s_ready low), then
//          writes the held pixel as (0,0) of a new frame. So every frame is completed and
//          output. s_ready is a register, high when no padding or held pixel is pending; its
//          next value reads registers only through the room test (no lookahead of the
//          memories' next state). A pixel taken without line-memory room waits in a
//          one-pixel hold register and s_ready falls until it is written.
//   Output m_data/m_valid/m_ready: one 3x3 window per output pixel, ceil(H/S) x ceil(W/S)
//          windows per frame, in raster order. Output pixel (r,c) holds input pixels
//          (S*r+i-1, S*c+j-1) for i, j in 0..2, all bits ZERO outside the image.
//          PACKING: element (i,j), i = row 0..2 top to bottom, j = column 0..2 left to right,
//          is m_data[(3*i+j)*CH_BITS +: CH_BITS]; so the centre (1,1) is at 4*CH_BITS.
//          Markers, valid with m_valid: m_sof = first window of a frame (r = 0, c = 0),
//          m_eol = last window of an output row, m_eof = last window of the frame.
//          m_valid/m_data/markers are registers (AXI4-Stream: held until accepted).
//   Throughput  one input pixel per clock, sustained, with back-to-back frames and no
//          backpressure: s_ready stays high (tested for widths 1..33, both strides). The
//          windows of the last output row(s) of a frame are produced while the next frame's
//          first rows are being written, and also without any further input (the last frame
//          always flushes). N back-to-back frames take N*W*H + 2*W + 3 clocks from the first
//          pixel in to the last window out.
//   Latency  output row r starts when input row min(S*r+1, H-1) is complete; its first window
//          is out 4 clocks after that row's last pixel was accepted if the read side is idle
//          (so the first window of a frame comes 2*WIDTH + 3 clocks after its first pixel at
//          full rate). A row sweep reads one column per clock (WIDTH clocks per output row, so
//          with STRIDE 2 one window every other clock during the sweep). WR_REG = 1 writes each
//          pixel one clock later, from registers, and adds that clock to these latencies;
//          throughput is unchanged for WIDTH >= 2 (at WIDTH 1, where a row is one clock, the
//          input may wait a clock per two rows).
//   Backpressure  m_ready low stalls the read side; the input keeps being accepted until all
//          four line memories hold rows that are still needed; the pixel taken then waits in
//          the hold register and s_ready falls (one clock later than a prediction of the room
//          would, and it rises one clock after the held pixel is written). No data is
//          lost and the block cannot deadlock (the rows the output needs are always stored).
//          m_ready feeds the read-side advance (line-memory read enables, window and output
//          register enables) through a few gates: the consumer's ready must be a register.
//          The window-wide controls are copied (sf_fanout) so that no flip-flop drives more
//          than FO data bits.
//   Reset  aresetn (synchronous, active low) clears positions, line-memory ownership, the read
//          sweep and the output valid; data registers and memories are not reset.
//
// MICROARCHITECTURE
//   Four line memories (sf_sram_1r1w instances, WIDTH words of CH_BITS, swappable for
//   two-port macros / block RAM) used as a ring: input row n goes to memory n mod 4 (counted
//   across frames). The read side sweeps one output row at a time, reading one column per
//   clock from the three memories holding rows S*r-1, S*r, S*r+1 into a 3-column window
//   (rows outside the image are masked to zero, the column right of the image is a zero
//   column produced by an extra "virtual" step that is merged with the first read of the next
//   row, so a row sweep costs exactly WIDTH clocks). Rows no longer needed after the sweep are
//   released column by column: the input may overwrite column x of a releasing memory once
//   the sweep has read it, so the input never waits for a sweep to finish. Memories are
//   written and read in the same clock only at different addresses. Depends on sf_fanout.v.
//   WR_REG = 1 registers the write (per-memory enable, address, data) and the row-complete
//   flag with it, so the write enables leave flip-flops rather than the input handshake's
//   logic: on an FPGA one enable reaches every LUT-RAM cell of a line memory, and routing that
//   net after the handshake's logic set the clock (measured on an ECP5, docs/cost.md). Reads
//   still never meet a write of the same word: a row is read only after its registered
//   completion, and a releasing memory is written only at columns the sweep has passed.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_window3x3 #(
    parameter integer CH_BITS = 8,   // bits per pixel (8 * channels)
    parameter integer WIDTH   = 8,   // input frame width in pixels
    parameter integer HEIGHT  = 8,   // input frame height in pixels
    parameter integer STRIDE  = 1,   // output stride, 1 or 2
    parameter integer FO      = 48,  // data bits per copy of a window-wide control
    parameter integer WR_REG  = 0    // 1: registered line-memory write port
) (
    input  wire                 aclk,
    input  wire                 aresetn,
    // input pixel stream
    input  wire [CH_BITS-1:0]   s_data,
    input  wire                 s_valid,
    output wire                 s_ready,
    input  wire                 s_sof,
    // output window stream
    output wire [9*CH_BITS-1:0] m_data,
    output wire                 m_valid,
    input  wire                 m_ready,
    output wire                 m_sof,
    output wire                 m_eol,
    output wire                 m_eof
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(CH_BITS >= 1 && WIDTH >= 1 && HEIGHT >= 1 && (STRIDE == 1 || STRIDE == 2)
          && FO >= 1 && (WR_REG == 0 || WR_REG == 1))) begin
      $display("%m: sf_window3x3 parameters outside its CONTRACT:");
      $display("  CH_BITS=%0d WIDTH=%0d HEIGHT=%0d STRIDE=%0d FO=%0d WR_REG=%0d", CH_BITS,
               WIDTH, HEIGHT, STRIDE, FO, WR_REG);
      $finish;
    end
  end
`endif

  localparam integer CB = CH_BITS;                          // bits per pixel
  localparam integer XW = (WIDTH > 1) ? $clog2(WIDTH) : 1;  // column index width
  localparam integer YW = (HEIGHT < 3) ? 2 : $clog2(HEIGHT + 1);  // row counter width, >= 2
  localparam [31:0] W_M1 = WIDTH - 1;                       // last column, 32 bits
  localparam [31:0] H_M1 = HEIGHT - 1;                      // last row, 32 bits
  localparam [31:0] H_U = HEIGHT;                           // HEIGHT, 32 bits
  localparam [31:0] S_U = STRIDE;                           // STRIDE, 32 bits
  localparam [31:0] ONE_U = 1;                              // the constant 1, 32 bits
  localparam [XW-1:0] X_LAST = W_M1[XW-1:0];
  localparam [XW-1:0] X_ONE = ONE_U[XW-1:0];
  localparam [YW-1:0] Y_LAST = H_M1[YW-1:0];
  localparam [YW-1:0] Y_ROWS = H_U[YW-1:0];
  localparam [YW-1:0] Y_STRIDE = S_U[YW-1:0];
  localparam [1:0] SLOT_STRIDE = S_U[1:0];
  // a row whose last window is centred on column WIDTH-1 needs the zero column WIDTH
  localparam NEED_VIRT = (STRIDE == 1) || (WIDTH % 2 == 1);
  // with stride 2 and even WIDTH the last window of a row comes from a real column read
  localparam EOL_ON_READ = (STRIDE == 2) && (WIDTH % 2 == 0);

  // ------------------------------------------------------------------ line memory ownership
  reg [3:0] full_q;   // memory holds a complete row that is still needed
  reg [3:0] rel_q;    // memory is being released by the active sweep (columns < k_q free)

  // ------------------------------------------------------------------ read sweep (stage 1)
  reg act_q;               // a row sweep is in progress
  reg [XW-1:0] k_q;        // next column to read in the active sweep
  reg [1:0] top_q;         // memory of input row S*r-1 for output row r (modulo 4)
  reg [YW-1:0] rem_q;      // HEIGHT - S*r, >= 1
  reg last_row_q;          // rem_q <= STRIDE: output row r is the last of its frame
  reg row0_q;              // output row r is row 0 of its frame
  reg virt_q;              // the previous row still needs its zero-column ("virtual") step
  reg vsof_q;              // ... and that window is the first of a frame
  reg veof_q;              // ... and that window is the last of a frame
  // Decoded from top_q, rem_q and row0_q when they change (at the end of a row sweep), so
  // that the read enables and the window's row select wait for no adder or compare (and the
  // next values need one compare of rem_q, not a chain of them; measured on an ECP5):
  reg [11:0] rsel_q;       // window row i comes from memory m: bit 4*i+m (rows outside: 0)
  reg [1:0] need_slot_q;   // memory of input row min(S*r+1, H-1): the row the sweep waits for
  reg [3:0] rel_slots_q;   // memories the sweep releases (rows the next output row won't need)
  // rsel_q's code for the output row whose window row 0 is in memory `top`, rows masked
  // (constant bit indices: a computed index synthesized to a 32-bit carry chain on the ECP5)
  function [11:0] row_sel;
    input [1:0] top;
    input [2:0] mask;
    integer i, m;
    begin
      for (i = 0; i < 3; i = i + 1) begin
        for (m = 0; m < 4; m = m + 1) begin
          row_sel[4*i + m] = mask[i] && (top + i[1:0] == m[1:0]);
        end
      end
    end
  endfunction
  // the memories a row_sel code names, as a memory mask
  function [3:0] slots;
    input [11:0] code;
    slots = code[3:0] | code[7:4] | code[11:8];
  endfunction

  // ------------------------------------------------------------------ stage 2 token
  reg p_valid_q;           // token present
  reg p_rd_q;              // token carries a column read from the memories
  reg p_k0_q;              // the read is column 0 (window history restarts)
  reg p_virt_q;            // emit the previous row's last window with a zero right column
  reg p_emit_q;            // emit a window whose right column is the read column
  reg [11:0] p_rsel_q;     // window row i comes from memory m: bit 4*i+m (rows outside: 0)
  reg p_sof_q;             // markers of the emitted window
  reg p_eol_q;
  reg p_eof_q;

  // window history: columns c-1 (h1) and c (h0); row i at [i*CB +: CB]
  reg [3*CB-1:0] h1_q;
  reg [3*CB-1:0] h0_q;

  // output register
  reg m_valid_q;
  reg [9*CB-1:0] m_data_q;
  reg m_sof_q;
  reg m_eol_q;
  reg m_eof_q;

  // ------------------------------------------------------------------ input side
  reg [XW-1:0] in_col_q;
  reg [YW-1:0] in_row_q;
  reg [1:0] wslot_q;       // memory receiving the current input row
  reg pad_q;               // completing a truncated frame with zero pixels
  reg held_q;              // a taken pixel waits for line-memory room (or, after a resync,
                           // for the padding to end, to be written as (0,0))
  reg [CB-1:0] held_data_q;
  reg s_ready_q;

  wire in_origin = (in_col_q == {XW{1'b0}}) && (in_row_q == {YW{1'b0}});
  wire in_eol = (in_col_q == X_LAST);
  wire in_eof = in_eol && (in_row_q == Y_LAST);
  wire col_lt_k = (in_col_q < k_q);
  wire wr_room = !full_q[wslot_q] || (rel_q[wslot_q] && col_lt_k);
  wire take = s_valid && s_ready_q;
  wire resync = take && s_sof && !in_origin;
  wire held_go = held_q && !pad_q && wr_room;
  // s_ready_q promises only the hold register: a pixel taken without room waits there
  wire take_wr = take && !resync && wr_room;
  wire take_held = take && !resync && !wr_room;
  wire wr_en = take_wr || (pad_q && wr_room) || held_go;
  // The data written: zeros while padding, the held pixel while it waits, else the input
  // (selected per FO bits from copies of the controls, g_wr below).
  wire [CB-1:0] wr_data;

  // next state of the input side. s_ready is a register: the next pixel may be taken when
  // nothing is held or padding, whether or not it will find room (then it is held), so its
  // next value reads the room test of this clock, not a prediction of the next one's
  wire pad_d = resync || (pad_q && !(wr_en && in_eof));
  wire held_d = resync || take_held || (held_q && !held_go);
  wire s_ready_d = !pad_d && !held_d;

  always @(posedge aclk) begin
    if (!aresetn) begin
      in_col_q  <= {XW{1'b0}};
      in_row_q  <= {YW{1'b0}};
      wslot_q   <= 2'd0;
      pad_q     <= 1'b0;
      held_q    <= 1'b0;
      s_ready_q <= 1'b0;
    end else begin
      pad_q <= pad_d;
      held_q <= held_d;
      s_ready_q <= s_ready_d;
      if (wr_en) begin
        in_col_q <= in_eol ? {XW{1'b0}} : in_col_q + 1'b1;
      end
      if (wr_en && in_eol) begin
        wslot_q <= wslot_q + 2'd1;
        in_row_q <= in_eof ? {YW{1'b0}} : in_row_q + 1'b1;
      end
    end
  end
  assign s_ready = s_ready_q;

  // ------------------------------------------------------------------ sweep control
  wire row_ready = full_q[need_slot_q];
  wire last_row = last_row_q;
  // the next output row's position and flags, taken when a row sweep ends
  wire [31:0] rem_u = { {(32 - YW){1'b0}}, rem_q};
  wire [1:0] top_n = last_row ? top_q + rem_q[1:0] : top_q + SLOT_STRIDE;
  wire [YW-1:0] rem_n = last_row ? Y_ROWS : rem_q - Y_STRIDE;
  wire rem_n_ge2 = last_row ? (H_U >= 2) : (rem_u >= S_U + 2);     // rem_n >= 2
  wire last_row_n = last_row ? (H_U <= S_U) : (rem_u <= 2 * S_U);  // rem_n <= STRIDE
  // window rows whose memory the next row's sweep releases (row0_n = last_row)
  wire [2:0] relm_n = {last_row_n && rem_n_ge2, (STRIDE == 2) || last_row_n, !last_row};

  wire p_has_out = p_virt_q || p_emit_q;
  wire out_free = !m_valid_q || m_ready;
  wire p_fire = p_valid_q && (!p_has_out || out_free);
  wire tok_free = !p_valid_q || p_fire;

  wire start = !act_q && row_ready;
  wire go_rd = tok_free && (act_q || start);
  wire go_virt = tok_free && !act_q && !row_ready && virt_q;
  wire [XW-1:0] ic = act_q ? k_q : {XW{1'b0}};
  wire ic_first = (ic == {XW{1'b0}});
  wire ic_last = (ic == X_LAST);
  wire ic_emit = !ic_first && ((STRIDE == 1) || ic[0]);

  // memories read by the sweep, as a memory mask
  wire [3:0] rd_slots = slots(rsel_q);
  wire [3:0] rel_slots = rel_slots_q;

  // the write port of the line memories, and the memories whose row it completes
  wire [3:0] wr_we;
  wire [XW-1:0] wr_addr;
  wire [CB-1:0] wr_word;
  wire [3:0] set_full;
  wire [3:0] we_now = wr_en ? (4'b0001 << wslot_q) : 4'b0000;
  wire [3:0] set_now = in_eol ? we_now : 4'b0000;
  generate
    if (WR_REG != 0) begin : g_wr_reg
      // enables and completion are control (reset); address and data load every clock, so
      // that no enable fans out to them
      reg [3:0] we_q;
      reg [3:0] set_q;
      reg [XW-1:0] addr_q;
      reg [CB-1:0] word_q;
      always @(posedge aclk) begin
        if (!aresetn) begin
          we_q  <= 4'b0000;
          set_q <= 4'b0000;
        end else begin
          we_q  <= we_now;
          set_q <= set_now;
        end
        addr_q <= in_col_q;
        word_q <= wr_data;
      end
      assign wr_we = we_q;
      assign wr_addr = addr_q;
      assign wr_word = word_q;
      assign set_full = set_q;
    end else begin : g_wr_now
      assign wr_we = we_now;
      assign wr_addr = in_col_q;
      assign wr_word = wr_data;
      assign set_full = set_now;
    end
  endgenerate
  wire [3:0] clr_full = (go_rd && ic_last) ? rel_slots : 4'b0000;

  // Copies of {s_ready_q, held_q, pad_q} for the input data path: each selects or enables
  // at most FO data bits. The held pixel is the last one taken before held_q rises
  // (s_ready_q is low from then on until it is written), so it is loaded with every
  // s_ready_q clock, not on the resync condition.
  localparam integer NIN = (CB + FO - 1) / FO;
  wire [3*NIN-1:0] in_c;
  sf_fanout #(.N(NIN), .W(3)) u_in_sel (
      .aclk(aclk), .aresetn(aresetn), .d({s_ready_d, held_d, pad_d}), .q(in_c)
  );
  genvar gw;
  generate
    for (gw = 0; gw < NIN; gw = gw + 1) begin : g_wr
      localparam integer LO = FO * gw;
      localparam integer WK = (CB - LO < FO) ? CB - LO : FO;
      wire pad_c = in_c[3*gw], held_c = in_c[3*gw+1], ready_c = in_c[3*gw+2];
      assign wr_data[LO +: WK] = pad_c ? {WK{1'b0}}
                               : held_c ? held_data_q[LO +: WK] : s_data[LO +: WK];
      always @(posedge aclk) begin
        if (ready_c) held_data_q[LO +: WK] <= s_data[LO +: WK];
      end
    end
  endgenerate

  always @(posedge aclk) begin
    if (!aresetn) begin
      full_q    <= 4'b0000;
      rel_q     <= 4'b0000;
      act_q     <= 1'b0;
      k_q       <= {XW{1'b0}};
      top_q     <= 2'd3;
      rem_q     <= Y_ROWS;
      last_row_q <= (H_U <= S_U);
      rsel_q    <= row_sel(2'd3, {(Y_ROWS >= 2), 1'b1, 1'b0});
      rel_slots_q <= slots(row_sel(2'd3, {(H_U <= S_U) && (H_U >= 2), (STRIDE == 2) || (H_U <= S_U),
                                          1'b0}));
      need_slot_q <= 2'd3 + ((Y_ROWS >= 2) ? 2'd2 : 2'd1);
      row0_q    <= 1'b1;
      virt_q    <= 1'b0;
      vsof_q    <= 1'b0;
      veof_q    <= 1'b0;
      p_valid_q <= 1'b0;
    end else begin
      full_q <= (full_q & ~clr_full) | set_full;
      if (tok_free) begin
        p_valid_q <= go_rd || go_virt;
      end
      if (go_virt) begin
        virt_q <= 1'b0;
      end
      if (go_rd) begin
        if (ic_first) begin
          virt_q <= 1'b0;
        end
        if (ic_last) begin
          // row sweep done: free the rows the next output row does not need
          rel_q  <= 4'b0000;
          act_q  <= 1'b0;
          k_q    <= {XW{1'b0}};
          virt_q <= NEED_VIRT;
          vsof_q <= row0_q && (WIDTH == 1);
          veof_q <= last_row;
          row0_q <= last_row;
          top_q  <= top_n;
          rem_q  <= rem_n;
          last_row_q <= last_row_n;
          rsel_q <= row_sel(top_n, {rem_n_ge2, 1'b1, !last_row});
          rel_slots_q <= slots(row_sel(top_n, relm_n));
          need_slot_q <= top_n + (rem_n_ge2 ? 2'd2 : 2'd1);
        end else begin
          act_q <= 1'b1;
          k_q   <= ic + 1'b1;
          if (start) begin
            rel_q <= rel_slots;
          end
        end
      end
    end
  end

  // stage 2 token contents (datapath-like, but markers must be clean: set with the token)
  always @(posedge aclk) begin
    if (tok_free) begin
      if (go_rd) begin
        p_rd_q   <= 1'b1;
        p_k0_q   <= ic_first;
        p_virt_q <= ic_first && virt_q;
        p_emit_q <= ic_emit;
        p_rsel_q <= rsel_q;
        if (ic_first && virt_q) begin
          p_sof_q <= vsof_q;
          p_eol_q <= 1'b1;
          p_eof_q <= veof_q;
        end else begin
          p_sof_q <= row0_q && (ic == X_ONE);
          p_eol_q <= EOL_ON_READ && ic_last;
          p_eof_q <= EOL_ON_READ && ic_last && last_row;
        end
      end else begin
        p_rd_q   <= 1'b0;
        p_k0_q   <= 1'b0;
        p_virt_q <= go_virt;
        p_emit_q <= 1'b0;
        p_rsel_q <= 12'd0;
        p_sof_q  <= vsof_q;
        p_eol_q  <= 1'b1;
        p_eof_q  <= veof_q;
      end
    end
  end

  // ------------------------------------------------------------------ line memories
  wire [CB-1:0] rdat[0:3];
  genvar gm;
  generate
    for (gm = 0; gm < 4; gm = gm + 1) begin : g_line
      sf_sram_1r1w #(
          .WIDTH(CB),
          .DEPTH(WIDTH)
      ) u_line (
          .aclk (aclk),
          .we   (wr_we[gm]),
          .waddr(wr_addr),
          .wdata(wr_word),
          .re   (go_rd && rd_slots[gm]),
          .raddr(ic),
          .rdata(rdat[gm])
      );
    end
  endgenerate

  // ------------------------------------------------------------------ stage 2: window
  // Per memory m and window row i, "row i comes from memory m" (mask included), plus the
  // token's k0 and virt flags: copied once per FO column bits (sf_fanout), as these
  // selects reach every bit of the 3-row column. The copies follow the token registers.
  localparam integer NSEL = (3 * CB + FO - 1) / FO;   // a copy per FO column bits
  wire [13:0] sel_now = {p_virt_q, p_k0_q, p_rsel_q};
  wire [13:0] sel_d = !tok_free ? sel_now
                    : go_rd ? {ic_first && virt_q, ic_first, rsel_q}
                    : {go_virt, 1'b0, 12'd0};
  wire [14*NSEL-1:0] sel_c;
  sf_fanout #(.N(NSEL), .W(14)) u_sel (
      .aclk(aclk), .aresetn(aresetn), .d(sel_d), .q(sel_c)
  );
  wire [3*CB-1:0] col_r;
  localparam integer NGR = (CB + FO - 1) / FO;      // groups of FO bits per window row
  genvar gr, gb;
  generate
    for (gr = 0; gr < 3; gr = gr + 1) begin : g_row
      for (gb = 0; gb < NGR; gb = gb + 1) begin : g_col
        localparam integer LO = FO * gb;
        localparam integer WK = (CB - LO < FO) ? CB - LO : FO;
        localparam integer B = gr * CB + LO;        // first column bit of the group
        localparam integer K = B / FO;              // its select copy
        wire [3:0] rs = sel_c[14*K + 4*gr +: 4];   // this row's memory (mask included)
        wire k0 = sel_c[14*K + 12], virt = sel_c[14*K + 13];
        wire [WK-1:0] cn = ({WK{rs[0]}} & rdat[0][LO +: WK]) | ({WK{rs[1]}} & rdat[1][LO +: WK])
                         | ({WK{rs[2]}} & rdat[2][LO +: WK]) | ({WK{rs[3]}} & rdat[3][LO +: WK]);
        assign col_r[B +: WK] = cn & {WK{!virt}};
        always @(posedge aclk) begin
          if (p_fire && p_rd_q) begin
            h1_q[B +: WK] <= h0_q[B +: WK] & {WK{!k0}};
            h0_q[B +: WK] <= cn;
          end
        end
      end
    end
  endgenerate

  // window: element (i,j) at [(3*i+j)*CB +: CB]; column j=0 is h1, j=1 is h0, j=2 is col_r
  wire [9*CB-1:0] win;
  genvar gi;
  generate
    for (gi = 0; gi < 3; gi = gi + 1) begin : g_win
      assign win[(3*gi+0)*CB +: CB] = h1_q[gi*CB +: CB];
      assign win[(3*gi+1)*CB +: CB] = h0_q[gi*CB +: CB];
      assign win[(3*gi+2)*CB +: CB] = col_r[gi*CB +: CB];
    end
  endgenerate

  always @(posedge aclk) begin
    if (p_fire && p_has_out) begin
      m_data_q <= win;
      m_sof_q  <= p_sof_q;
      m_eol_q  <= p_eol_q;
      m_eof_q  <= p_eof_q;
    end
  end
  wire unused_sel = &{1'b0, sel_c, 1'b0};

  always @(posedge aclk) begin
    if (!aresetn) begin
      m_valid_q <= 1'b0;
    end else if (p_fire && p_has_out) begin
      m_valid_q <= 1'b1;
    end else if (m_ready) begin
      m_valid_q <= 1'b0;
    end
  end

  assign m_valid = m_valid_q;
  assign m_data  = m_data_q;
  assign m_sof   = m_sof_q;
  assign m_eol   = m_eol_q;
  assign m_eof   = m_eof_q;

endmodule

`resetall
`default_nettype wire
