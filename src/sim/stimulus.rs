//! Input stimulus and output beats in the harness's file format: per beat a flags byte
//! (bit0 = tuser, bit1 = tlast) then the data bytes little-endian; in a stimulus, flags bit7 is
//! an idle marker followed by a u32 LE cycle count.

use anyhow::{bail, Result};

/// One AXI4-Stream transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beat {
    /// Start of frame.
    pub user: bool,
    /// End of line (input) or as the output stream defines it.
    pub last: bool,
    /// `tdata`, little-endian: byte k holds bits 8k+7:8k.
    pub data: Vec<u8>,
}

impl Beat {
    /// Data bytes as signed 8-bit values (one per channel).
    pub fn as_i8(&self) -> Vec<i8> {
        self.data.iter().map(|&b| b as i8).collect()
    }

    /// Data as little-endian signed 16-bit values (an odd trailing byte is ignored).
    pub fn as_i16(&self) -> Vec<i16> {
        self.data
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect()
    }

    /// Flags byte of the file format.
    pub fn flags(&self) -> u8 {
        self.user as u8 | (self.last as u8) << 1
    }
}

/// All beats' data as signed bytes, concatenated (e.g. an HWC int8 feature map).
pub fn flatten_i8(beats: &[Beat]) -> Vec<i8> {
    beats.iter().flat_map(|b| b.as_i8()).collect()
}

/// All beats' data as little-endian int16 values, concatenated (e.g. a head's outputs).
pub fn flatten_i16(beats: &[Beat]) -> Vec<i16> {
    beats.iter().flat_map(|b| b.as_i16()).collect()
}

/// Parses records of `1 + bytes_per_beat` bytes (an output `<prefix>.bin`).
pub fn parse_beats(buf: &[u8], bytes_per_beat: usize) -> Result<Vec<Beat>> {
    let rec = 1 + bytes_per_beat;
    if !buf.len().is_multiple_of(rec) {
        bail!(
            "beat file of {} bytes is not a whole number of {rec}-byte records",
            buf.len()
        );
    }
    Ok(buf
        .chunks_exact(rec)
        .map(|c| Beat {
            user: c[0] & 1 != 0,
            last: c[0] & 2 != 0,
            data: c[1..].to_vec(),
        })
        .collect())
}

/// One stimulus item: a beat, or idle cycles with `tvalid` low.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StimItem {
    Beat(Beat),
    Idle(u32),
}

/// The input stream: beats (well-formed or not) and idle gaps, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stimulus {
    bytes_per_beat: usize,
    items: Vec<StimItem>,
}

impl Stimulus {
    /// An empty stimulus for `channels` bytes per beat.
    pub fn new(channels: usize) -> Self {
        Stimulus {
            bytes_per_beat: channels,
            items: Vec::new(),
        }
    }

    /// Well-formed frames: each `frames[i]` holds `height * width * channels` bytes in raster
    /// order, channel-minor (HWC); tuser on each frame's first beat, tlast on each line's last.
    pub fn from_frames(frames: &[Vec<u8>], width: usize, height: usize, channels: usize) -> Self {
        let mut s = Stimulus::new(channels);
        for f in frames {
            s.push_frame(f, width, height);
        }
        s
    }

    pub fn bytes_per_beat(&self) -> usize {
        self.bytes_per_beat
    }

    pub fn items(&self) -> &[StimItem] {
        &self.items
    }

    /// Number of beats (idle markers excluded).
    pub fn beats(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, StimItem::Beat(_)))
            .count()
    }

    /// Appends one beat; `data` must hold exactly `bytes_per_beat` bytes.
    pub fn push_beat(&mut self, user: bool, last: bool, data: &[u8]) -> &mut Self {
        assert_eq!(
            data.len(),
            self.bytes_per_beat,
            "beat of {} bytes, expected {}",
            data.len(),
            self.bytes_per_beat
        );
        self.items.push(StimItem::Beat(Beat {
            user,
            last,
            data: data.to_vec(),
        }));
        self
    }

    /// Appends `cycles` idle cycles (tvalid low), on top of any random gaps.
    pub fn push_idle(&mut self, cycles: u32) -> &mut Self {
        self.items.push(StimItem::Idle(cycles));
        self
    }

    /// Appends lines of pixels (each line a multiple of `bytes_per_beat` bytes): tuser on the
    /// first beat if `sof`, tlast on the last beat of every line. Basis of the malformed builders.
    pub fn push_lines(&mut self, lines: &[&[u8]], sof: bool) -> &mut Self {
        let n = self.bytes_per_beat;
        let mut first = sof;
        for line in lines {
            assert_eq!(
                line.len() % n,
                0,
                "line of {} bytes is not whole pixels",
                line.len()
            );
            let px = line.len() / n;
            for (i, p) in line.chunks_exact(n).enumerate() {
                self.push_beat(first, i + 1 == px, p);
                first = false;
            }
        }
        self
    }

    fn rows<'a>(&self, frame: &'a [u8], width: usize, height: usize) -> Vec<&'a [u8]> {
        let row = width * self.bytes_per_beat;
        assert_eq!(
            frame.len(),
            row * height,
            "frame of {} bytes is not {height}x{width}x{}",
            frame.len(),
            self.bytes_per_beat
        );
        frame.chunks_exact(row).collect()
    }

    /// Appends one well-formed frame (HWC bytes).
    pub fn push_frame(&mut self, frame: &[u8], width: usize, height: usize) -> &mut Self {
        let rows = self.rows(frame, width, height);
        self.push_lines(&rows, true)
    }

    /// A frame whose line `row` ends after `pixels` pixels (< width): a short line.
    pub fn push_frame_short_line(
        &mut self,
        frame: &[u8],
        width: usize,
        height: usize,
        row: usize,
        pixels: usize,
    ) -> &mut Self {
        assert!(pixels < width && row < height);
        let mut rows = self.rows(frame, width, height);
        rows[row] = &rows[row][..pixels * self.bytes_per_beat];
        self.push_lines(&rows, true)
    }

    /// A frame whose line `row` carries `extra` more pixels (copies of its last pixel): a long line.
    pub fn push_frame_long_line(
        &mut self,
        frame: &[u8],
        width: usize,
        height: usize,
        row: usize,
        extra: usize,
    ) -> &mut Self {
        assert!(row < height);
        let n = self.bytes_per_beat;
        let rows = self.rows(frame, width, height);
        let mut long = rows[row].to_vec();
        let last = rows[row][rows[row].len() - n..].to_vec();
        for _ in 0..extra {
            long.extend_from_slice(&last);
        }
        let lines: Vec<&[u8]> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| if i == row { &long[..] } else { *r })
            .collect();
        self.push_lines(&lines, true)
    }

    /// A frame without tuser on its first beat (missing start of frame).
    pub fn push_frame_without_sof(
        &mut self,
        frame: &[u8],
        width: usize,
        height: usize,
    ) -> &mut Self {
        let rows = self.rows(frame, width, height);
        self.push_lines(&rows, false)
    }

    /// A frame cut off at pixel (`row`, `col`), where a new start of frame appears mid-frame:
    /// the beats of the partial frame, then nothing (follow with a good frame, whose tuser is
    /// the mid-frame start of frame).
    pub fn push_frame_truncated(
        &mut self,
        frame: &[u8],
        width: usize,
        height: usize,
        row: usize,
        col: usize,
    ) -> &mut Self {
        assert!(row < height && col < width);
        let n = self.bytes_per_beat;
        let rows = self.rows(frame, width, height);
        let mut lines: Vec<&[u8]> = rows[..row].to_vec();
        if col > 0 {
            lines.push(&rows[row][..col * n]);
        }
        let pushed: usize = lines.iter().map(|l| l.len() / n).sum();
        self.push_lines(&lines, true);
        // the partial line does not end with tlast: the frame was interrupted
        if col > 0 && pushed > 0 {
            if let Some(StimItem::Beat(b)) = self.items.last_mut() {
                b.last = false;
            }
        }
        self
    }

    /// A frame with an extra tuser on the beat at (`row`, `col`) (start of frame mid-frame).
    pub fn push_frame_mid_sof(
        &mut self,
        frame: &[u8],
        width: usize,
        height: usize,
        row: usize,
        col: usize,
    ) -> &mut Self {
        assert!(row < height && col < width);
        let start = self.items.len();
        self.push_frame(frame, width, height);
        let k = start + row * width + col;
        if let StimItem::Beat(b) = &mut self.items[k] {
            b.user = true;
        }
        self
    }

    /// The file format the harness reads.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.items.len() * (1 + self.bytes_per_beat));
        for it in &self.items {
            match it {
                StimItem::Beat(b) => {
                    v.push(b.flags());
                    v.extend_from_slice(&b.data);
                }
                StimItem::Idle(n) => {
                    v.push(0x80);
                    v.extend_from_slice(&n.to_le_bytes());
                }
            }
        }
        v
    }

    /// Parses the file format (inverse of [`Stimulus::to_bytes`]).
    pub fn from_bytes(buf: &[u8], bytes_per_beat: usize) -> Result<Self> {
        let mut s = Stimulus::new(bytes_per_beat);
        let mut i = 0;
        while i < buf.len() {
            let f = buf[i];
            if f & 0x80 != 0 {
                if i + 5 > buf.len() {
                    bail!("truncated idle marker at byte {i}");
                }
                s.push_idle(u32::from_le_bytes(buf[i + 1..i + 5].try_into().unwrap()));
                i += 5;
            } else {
                if f & 0x7c != 0 {
                    bail!("reserved flag bits 0x{f:02x} at byte {i}");
                }
                if i + 1 + bytes_per_beat > buf.len() {
                    bail!("truncated beat at byte {i}");
                }
                s.push_beat(f & 1 != 0, f & 2 != 0, &buf[i + 1..i + 1 + bytes_per_beat]);
                i += 1 + bytes_per_beat;
            }
        }
        Ok(s)
    }
}
