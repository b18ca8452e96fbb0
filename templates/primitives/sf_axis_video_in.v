// sf_axis_video_in: AXI4-Stream video input and frame sanitizer (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     DATA_W  pixel width in bits (8 * channels), >= 1.
//     WIDTH   frame width in pixels, >= 1.
//     HEIGHT  frame height in pixels, >= 1.
//     CNT_W   width of frame_count, 1..32.
//   Input  AXI4-Stream video (AMD PG278 / SPEC section 4): s_axis_tdata, s_axis_tvalid,
//          s_axis_tready, s_axis_tuser (start of frame, on the first pixel), s_axis_tlast (end
//          of line, on the last pixel of every line).
//   Output m_data/m_valid/m_ready, plus m_sof (pixel (0,0)), m_eol (last pixel of a line),
//          m_eof (last pixel of the frame). GUARANTEE: the output is always whole frames of
//          exactly WIDTH x HEIGHT pixels in raster order, m_sof exactly on each frame's first
//          pixel. Every output is a register (s_axis_tready included).
//   Errors err[3:0], sticky, one bit per kind; err_clear (a level, one clock is enough) clears
//          them; an error detected in the same clock as err_clear stays set.
//            err[0] SHORT_LINE   tlast before the last column of a line.
//            err[1] LONG_LINE    no tlast on the last column of a line.
//            err[2] MISSING_SOF  a frame's first pixel came without tuser.
//            err[3] SOF_IN_FRAME tuser on a pixel that is not the first of a frame.
//   Frame counter  frame_count = number of frames output (completed frames, including frames
//          completed with padding), modulo 2^CNT_W; counts when a frame's last pixel is loaded
//          into the output register.
//   Behaviour on malformed input (decisions depend only on the input beat sequence, never on
//          timing or idle gaps, which are harmless):
//     After reset the block waits for tuser, silently discarding pixels (joining a running
//          camera stream mid-frame is normal, not an error).
//     SHORT_LINE: the pixel with the early tlast is output; then the rest of the frame is
//          output as zero pixels (one per clock, s_axis_tready low meanwhile); then input is
//          discarded until the next tuser.
//     LONG_LINE: the last-column pixel (without tlast) is output; the rest of the frame (if
//          any) is output as zero pixels; then input is discarded until the next tuser (this
//          drops the rest of the overlong line).
//     MISSING_SOF: the offending pixel is discarded, and input is discarded until a tuser.
//     SOF_IN_FRAME: the tuser pixel is taken and held inside; the current frame is completed
//          with zero pixels (s_axis_tready low meanwhile), then the held pixel is output as
//          the first pixel of a new frame.
//     So a malformed frame is always completed (zero padded, never deadlocking downstream) and
//     the next well-formed frame passes exactly.
//   Latency     1 clock (input transfer at edge t, output valid after edge t).
//   Throughput  one pixel per clock. s_axis_tready is a register: high when the 2-entry output
//          queue (entry 0 = the output registers) will have room in the next clock and no
//          padding or held pixel is pending, so m_ready never reaches it combinationally.
//   Reset  aresetn (synchronous, active low): clears state, position, output valid, errors and
//          frame_count; not the data register.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_axis_video_in #(
    parameter integer DATA_W = 24,  // pixel width in bits (8 * channels)
    parameter integer WIDTH  = 8,   // frame width in pixels
    parameter integer HEIGHT = 8,   // frame height in pixels
    parameter integer CNT_W  = 32   // frame counter width, 1..32
) (
    input  wire              aclk,
    input  wire              aresetn,
    // AXI4-Stream video input
    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    input  wire              s_axis_tuser,
    input  wire              s_axis_tlast,
    // sanitized pixel stream
    output wire [DATA_W-1:0] m_data,
    output wire              m_valid,
    input  wire              m_ready,
    output wire              m_sof,
    output wire              m_eol,
    output wire              m_eof,
    // status
    output wire [3:0]        err,
    input  wire              err_clear,
    output wire [CNT_W-1:0]  frame_count
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(DATA_W >= 1 && WIDTH >= 1 && HEIGHT >= 1 && CNT_W >= 1 && CNT_W <= 32)) begin
      $display("%m: sf_axis_video_in parameters outside its CONTRACT:");
      $display("  DATA_W=%0d WIDTH=%0d HEIGHT=%0d CNT_W=%0d", DATA_W, WIDTH, HEIGHT, CNT_W);
      $finish;
    end
  end
`endif

  localparam integer XW = (WIDTH > 1) ? $clog2(WIDTH) : 1;    // column index width
  localparam integer YW = (HEIGHT > 1) ? $clog2(HEIGHT) : 1;  // row index width
  localparam [31:0] W_M1 = WIDTH - 1;                         // last column, 32 bits
  localparam [31:0] H_M1 = HEIGHT - 1;                        // last row, 32 bits
  localparam [XW-1:0] X_LAST = W_M1[XW-1:0];
  localparam [YW-1:0] Y_LAST = H_M1[YW-1:0];

  localparam [1:0] ST_WAIT = 2'd0;  // discard input until tuser
  localparam [1:0] ST_RUN = 2'd1;   // in sync: the next beat is pixel (row_q, col_q)
  localparam [1:0] ST_PAD = 2'd2;   // completing the frame with zero pixels
  localparam [1:0] ST_HELD = 2'd3;  // output the held tuser pixel as (0,0) of a new frame

  reg [1:0] state_q;
  reg [XW-1:0] col_q;
  reg [YW-1:0] row_q;
  reg [3:0] err_q;
  reg [CNT_W-1:0] frame_count_q;
  reg tready_q;
  reg held_q;                        // the SOF_IN_FRAME pixel waits (output after the padding)
  reg [DATA_W-1:0] held_data_q;
  reg held_last_q;

  // output queue: entry 0 is the output register, entry 1 catches a push while it is full
  localparam integer EW = DATA_W + 3;  // {eof, eol, sof, data}
  reg [EW-1:0] e0_q, e1_q;
  reg [1:0] cnt_q;
  reg m_valid_q;
  wire pop = m_valid_q && m_ready;
  wire room = (cnt_q != 2'd2) || pop;

  wire at_origin = (col_q == {XW{1'b0}}) && (row_q == {YW{1'b0}});
  wire last_col = (col_q == X_LAST);
  wire last_px = last_col && (row_q == Y_LAST);

  // the beat this clock: an accepted input beat, or the held pixel (ST_HELD, queue room)
  wire in_beat = s_axis_tvalid && tready_q;
  wire held_go = (state_q == ST_HELD) && room;
  wire beat = in_beat || held_go;
  wire b_user = held_go ? 1'b1 : s_axis_tuser;
  wire b_last = held_go ? held_last_q : s_axis_tlast;
  wire [DATA_W-1:0] b_data = held_go ? held_data_q : s_axis_tdata;
  wire in_run = (state_q == ST_RUN) || held_go;
  wire in_wait = (state_q == ST_WAIT);
  // a tuser in the middle of a frame: keep the beat, pad the frame first
  wire sof_mid = in_beat && (state_q == ST_RUN) && s_axis_tuser && !at_origin;
  // a beat that is a pixel of the current frame (in WAIT position is always the origin)
  wire take = beat && !sof_mid && (b_user ? (in_run || in_wait) : (in_run && !at_origin));
  wire miss_sof = beat && in_run && at_origin && !b_user;
  wire short_line = take && b_last && !last_col;
  wire long_line = take && last_col && !b_last;
  wire pad_px = (state_q == ST_PAD) && room;
  wire push = take || pad_px;

  wire [3:0] err_set = {sof_mid, miss_sof, long_line, short_line};

  reg [1:0] state_d;
  always @(*) begin
    state_d = state_q;
    if (take) begin
      if (short_line || long_line) state_d = last_px ? ST_WAIT : ST_PAD;
      else state_d = ST_RUN;
    end else if (miss_sof) begin
      state_d = ST_WAIT;
    end else if (sof_mid) begin
      state_d = ST_PAD;
    end else if (pad_px && last_px) begin
      state_d = held_q ? ST_HELD : ST_WAIT;
    end
  end
  wire [1:0] cnt_d = cnt_q + {1'b0, push} - {1'b0, pop};
  wire held_d = sof_mid || (held_q && !held_go);
  wire tready_d = (state_d == ST_WAIT || state_d == ST_RUN) && !held_d && (cnt_d != 2'd2);

  always @(posedge aclk) begin
    if (!aresetn) begin
      state_q       <= ST_WAIT;
      col_q         <= {XW{1'b0}};
      row_q         <= {YW{1'b0}};
      err_q         <= 4'b0000;
      frame_count_q <= {CNT_W{1'b0}};
      cnt_q         <= 2'd0;
      m_valid_q     <= 1'b0;
      tready_q      <= 1'b0;
      held_q        <= 1'b0;
    end else begin
      err_q <= (err_q & ~{4{err_clear}}) | err_set;
      state_q <= state_d;
      cnt_q <= cnt_d;
      m_valid_q <= cnt_d != 2'd0;
      tready_q <= tready_d;
      held_q <= held_d;
      // position
      if (push) begin
        if (last_col) begin
          col_q <= {XW{1'b0}};
          row_q <= (row_q == Y_LAST) ? {YW{1'b0}} : row_q + 1'b1;
        end else begin
          col_q <= col_q + 1'b1;
        end
      end
      if (push && last_px) begin
        frame_count_q <= frame_count_q + 1'b1;
      end
    end
  end

  // datapath (not reset; qualified by the counts and flags)
  wire [EW-1:0] px = {last_px, last_col, at_origin,
                      (state_q == ST_PAD) ? {DATA_W{1'b0}} : b_data};
  always @(posedge aclk) begin
    if (sof_mid) begin
      held_data_q <= s_axis_tdata;
      held_last_q <= s_axis_tlast;
    end
    if (pop) begin
      if (cnt_q == 2'd2) e0_q <= e1_q;
      else if (push) e0_q <= px;
    end else if (cnt_q == 2'd0 && push) begin
      e0_q <= px;
    end
    if (push && ((cnt_q == 2'd1 && !pop) || (cnt_q == 2'd2 && pop))) e1_q <= px;
  end

  assign s_axis_tready = tready_q;
  assign m_valid = m_valid_q;
  assign m_data = e0_q[DATA_W-1:0];
  assign m_sof = e0_q[DATA_W];
  assign m_eol = e0_q[DATA_W+1];
  assign m_eof = e0_q[DATA_W+2];
  assign err = err_q;
  assign frame_count = frame_count_q;

endmodule

`resetall
`default_nettype wire
