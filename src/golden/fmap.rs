//! Feature maps and accumulators, stored height x width x channels (channel fastest), the
//! order pixels stream through the hardware.

use crate::model::layout::Size;

/// An int8 feature map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmap {
    pub size: Size,
    pub channels: usize,
    pub data: Vec<i8>,
}

impl Fmap {
    pub fn zeros(size: Size, channels: usize) -> Fmap {
        Fmap {
            size,
            channels,
            data: vec![0; size.pixels() * channels],
        }
    }

    /// SPEC §2: byte p becomes x = p - 128; channel c of a pixel is byte c.
    pub fn from_pixels(size: Size, channels: usize, bytes: &[u8]) -> Fmap {
        Fmap {
            size,
            channels,
            data: bytes.iter().map(|&p| (p as i16 - 128) as i8).collect(),
        }
    }

    pub fn pixel(&self, r: usize, c: usize) -> &[i8] {
        let i = (r * self.size.w + c) * self.channels;
        &self.data[i..i + self.channels]
    }

    /// Channels `from..from+count` of every pixel.
    pub fn channel_slice(&self, from: usize, count: usize) -> Fmap {
        let mut data = Vec::with_capacity(self.size.pixels() * count);
        for px in self.data.chunks_exact(self.channels) {
            data.extend_from_slice(&px[from..from + count]);
        }
        Fmap {
            size: self.size,
            channels: count,
            data,
        }
    }

    /// Channel-wise concatenation of two maps of the same size.
    pub fn concat(a: &Fmap, b: &Fmap) -> Fmap {
        debug_assert_eq!(a.size, b.size);
        let mut data = Vec::with_capacity(a.data.len() + b.data.len());
        for (pa, pb) in a
            .data
            .chunks_exact(a.channels)
            .zip(b.data.chunks_exact(b.channels))
        {
            data.extend_from_slice(pa);
            data.extend_from_slice(pb);
        }
        Fmap {
            size: a.size,
            channels: a.channels + b.channels,
            data,
        }
    }
}

/// Exact 32-bit conv accumulators, same layout as [`Fmap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acc {
    pub size: Size,
    pub channels: usize,
    pub data: Vec<i32>,
}
