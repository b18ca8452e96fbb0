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
//          pixel. Output signals are registers (AXI4-Stream: held until accepted).
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
//     SOF_IN_FRAME: the tuser pixel is NOT consumed (s_axis_tready low: tready depends on
//          tvalid && tuser in this case, as AXI4-Stream allows); the current frame is completed
//          with zero pixels, then the tuser pixel is accepted as the first pixel of a new frame.
//     So a malformed frame is always completed (zero padded, never deadlocking downstream) and
//     the next well-formed frame passes exactly.
//   Latency     1 clock (input transfer at edge t, output valid after edge t).
//   Throughput  one pixel per clock (s_axis_tready = !m_valid || m_ready outside the cases
//          above; m_ready reaches s_axis_tready combinationally, as in a simple pipeline
//          register; add sf_skid_buffer on either side if that path matters).
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

  reg [1:0] state_q;
  reg [XW-1:0] col_q;
  reg [YW-1:0] row_q;
  reg [3:0] err_q;
  reg [CNT_W-1:0] frame_count_q;

  reg m_valid_q;
  reg [DATA_W-1:0] m_data_q;
  reg m_sof_q;
  reg m_eol_q;
  reg m_eof_q;

  wire out_free = !m_valid_q || m_ready;
  wire at_origin = (col_q == {XW{1'b0}}) && (row_q == {YW{1'b0}});
  wire last_col = (col_q == X_LAST);
  wire last_px = last_col && (row_q == Y_LAST);

  wire in_run = (state_q == ST_RUN);
  wire in_wait = (state_q == ST_WAIT);
  wire in_pad = (state_q == ST_PAD);
  // a tuser in the middle of a frame: hold the beat, pad the frame first
  wire sof_mid = in_run && s_axis_tvalid && s_axis_tuser && !at_origin;
  assign s_axis_tready = out_free && (in_run || in_wait) && !sof_mid;
  wire beat = s_axis_tvalid && s_axis_tready;
  // a beat that is a pixel of the current frame (in WAIT position is always the origin)
  wire take = beat && (s_axis_tuser || (in_run && !at_origin));
  wire miss_sof = beat && in_run && at_origin && !s_axis_tuser;
  wire short_line = take && s_axis_tlast && !last_col;
  wire long_line = take && last_col && !s_axis_tlast;
  wire pad_px = in_pad && out_free;
  wire load = take || pad_px;

  wire [3:0] err_set = {sof_mid, miss_sof, long_line, short_line};

  always @(posedge aclk) begin
    if (!aresetn) begin
      state_q       <= ST_WAIT;
      col_q         <= {XW{1'b0}};
      row_q         <= {YW{1'b0}};
      err_q         <= 4'b0000;
      frame_count_q <= {CNT_W{1'b0}};
      m_valid_q     <= 1'b0;
    end else begin
      err_q <= (err_q & ~{4{err_clear}}) | err_set;
      // position
      if (load) begin
        if (last_col) begin
          col_q <= {XW{1'b0}};
          row_q <= (row_q == Y_LAST) ? {YW{1'b0}} : row_q + 1'b1;
        end else begin
          col_q <= col_q + 1'b1;
        end
      end
      if (load && last_px) begin
        frame_count_q <= frame_count_q + 1'b1;
      end
      // state
      if (take) begin
        if (short_line || long_line) begin
          state_q <= last_px ? ST_WAIT : ST_PAD;
        end else begin
          state_q <= ST_RUN;
        end
      end else if (miss_sof) begin
        state_q <= ST_WAIT;
      end else if (sof_mid) begin
        state_q <= ST_PAD;
      end else if (pad_px && last_px) begin
        // WAIT: after SOF_IN_FRAME the held tuser pixel then starts the next frame
        state_q <= ST_WAIT;
      end
      // output valid
      if (load) begin
        m_valid_q <= 1'b1;
      end else if (m_ready) begin
        m_valid_q <= 1'b0;
      end
    end
  end

  // output data and markers (not reset; qualified by m_valid)
  always @(posedge aclk) begin
    if (load) begin
      m_data_q <= in_pad ? {DATA_W{1'b0}} : s_axis_tdata;
      m_sof_q  <= at_origin;
      m_eol_q  <= last_col;
      m_eof_q  <= last_px;
    end
  end

  assign m_valid = m_valid_q;
  assign m_data = m_data_q;
  assign m_sof = m_sof_q;
  assign m_eol = m_eol_q;
  assign m_eof = m_eof_q;
  assign err = err_q;
  assign frame_count = frame_count_q;

endmodule

`resetall
`default_nettype wire
