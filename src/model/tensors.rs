//! The tensor file: the list of tensors a topology needs (SPEC §3) and a typed store that
//! reads and writes safetensors.

mod header;

use super::layout::{BlockLayout, NetLayout};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::BTreeMap;

/// One dimension of an expected tensor shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Fixed(usize),
    /// K, the PWL segment count: free (1..=K_max), but equal across a head's x/y/g.
    Segments,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<Dim>,
    pub dtype: Dtype,
}

fn spec(name: String, shape: &[usize], dtype: Dtype) -> TensorSpec {
    TensorSpec {
        name,
        shape: shape.iter().map(|&d| Dim::Fixed(d)).collect(),
        dtype,
    }
}

/// Weight, scale, bias and shift of one requantized conv layer.
fn conv_specs(out: &mut Vec<TensorSpec>, prefix: &str, weight_shape: [usize; 4]) {
    let c = weight_shape[0];
    out.push(spec(format!("{prefix}.weight"), &weight_shape, Dtype::I8));
    out.push(spec(format!("{prefix}.scale"), &[c], Dtype::I16));
    out.push(spec(format!("{prefix}.bias"), &[c], Dtype::I32));
    out.push(spec(format!("{prefix}.shift"), &[1], Dtype::U8));
}

fn block_specs(out: &mut Vec<TensorSpec>, block: &BlockLayout) {
    for br in block.branches() {
        conv_specs(out, &br.dw(), [br.channels, 1, 3, 3]);
        conv_specs(out, &br.pw(), [br.channels, br.channels, 1, 1]);
    }
}

/// Every tensor the model file must hold, in a stable order.
pub fn tensor_specs(net: &NetLayout) -> Vec<TensorSpec> {
    let mut out = Vec::new();
    for core in net.cores() {
        conv_specs(&mut out, &core.stem, [core.stem_out, core.stem_in, 3, 3]);
        for block in core.stages.iter().flatten().chain(core.repeat_banks.iter()) {
            block_specs(&mut out, block);
        }
    }
    for (t, _) in net.trainable.iter().enumerate() {
        for (k, &c) in net.boundary_channels.iter().enumerate() {
            out.push(spec(format!("train{t}.blend{k}.alpha"), &[c], Dtype::U16));
        }
        if !net.trainable[t].repeat_banks.is_empty() {
            out.push(spec(format!("train{t}.rep.n"), &[1], Dtype::U8));
        }
    }
    if net.trainable.len() == 2 {
        for k in 0..net.boundary_channels.len() {
            out.push(spec(format!("blend{k}.shuffle"), &[1], Dtype::U8));
        }
    }
    for head in &net.heads {
        conv_specs(
            &mut out,
            &head.name,
            [head.outputs, head.group_inputs(), 1, 1],
        );
        out.push(spec(format!("{}.pool", head.name), &[1], Dtype::U8));
        for part in ["x", "y", "g"] {
            out.push(TensorSpec {
                name: format!("{}.pwl.{part}", head.name),
                shape: vec![Dim::Segments],
                dtype: Dtype::I16,
            });
        }
    }
    out
}

/// A tensor as stored: dtype, shape and little-endian bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTensor {
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

/// Element types the model file uses, with their safetensors dtype.
pub trait Element: Copy + Default {
    const DTYPE: Dtype;
    const SIZE: usize;
    fn from_le(bytes: &[u8]) -> Self;
    fn to_le(self, out: &mut Vec<u8>);
}

macro_rules! element {
    ($t:ty, $d:expr) => {
        impl Element for $t {
            const DTYPE: Dtype = $d;
            const SIZE: usize = std::mem::size_of::<$t>();
            fn from_le(bytes: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(bytes);
                <$t>::from_le_bytes(a)
            }
            fn to_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    };
}
element!(i8, Dtype::I8);
element!(u8, Dtype::U8);
element!(i16, Dtype::I16);
element!(u16, Dtype::U16);
element!(i32, Dtype::I32);
element!(i64, Dtype::I64);

impl RawTensor {
    pub fn from_values<T: Element>(shape: Vec<usize>, values: &[T]) -> RawTensor {
        let mut bytes = Vec::with_capacity(values.len() * T::SIZE);
        for &v in values {
            v.to_le(&mut bytes);
        }
        RawTensor {
            dtype: T::DTYPE,
            shape,
            bytes,
        }
    }

    /// The values as i64, whatever the integer dtype (empty for other dtypes).
    pub fn values_i64(&self) -> Vec<i64> {
        match self.dtype {
            Dtype::I8 => self
                .values::<i8>()
                .unwrap_or_default()
                .into_iter()
                .map(i64::from)
                .collect(),
            Dtype::U8 => self
                .values::<u8>()
                .unwrap_or_default()
                .into_iter()
                .map(i64::from)
                .collect(),
            Dtype::I16 => self
                .values::<i16>()
                .unwrap_or_default()
                .into_iter()
                .map(i64::from)
                .collect(),
            Dtype::U16 => self
                .values::<u16>()
                .unwrap_or_default()
                .into_iter()
                .map(i64::from)
                .collect(),
            Dtype::I32 => self
                .values::<i32>()
                .unwrap_or_default()
                .into_iter()
                .map(i64::from)
                .collect(),
            Dtype::I64 => self.values::<i64>().unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The values, or None when the dtype is not `T` (checked before by validation).
    pub fn values<T: Element>(&self) -> Option<Vec<T>> {
        (self.dtype == T::DTYPE).then(|| self.bytes.chunks_exact(T::SIZE).map(T::from_le).collect())
    }
}

/// Why a tensor file could not be read as a container.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TensorFileError {
    #[error("{0}")]
    Invalid(String),
    /// Names the JSON header lists more than once, each named once, in header order.
    #[error("the header names {} more than once", .0.join(", "))]
    Repeated(Vec<String>),
}

/// Tensors by name, in name order (so writing is deterministic).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TensorStore {
    pub tensors: BTreeMap<String, RawTensor>,
}

impl TensorStore {
    pub fn insert<T: Element>(&mut self, name: impl Into<String>, shape: Vec<usize>, values: &[T]) {
        self.tensors
            .insert(name.into(), RawTensor::from_values(shape, values));
    }

    pub fn get(&self, name: &str) -> Option<&RawTensor> {
        self.tensors.get(name)
    }

    /// Parses a safetensors buffer; the error says what is wrong with the container.
    pub fn from_safetensors(buffer: &[u8]) -> Result<TensorStore, TensorFileError> {
        // Before the crate, which keeps one entry of a repeated name and drops the other.
        let repeated = header::repeated_names(buffer);
        if !repeated.is_empty() {
            return Err(TensorFileError::Repeated(repeated));
        }
        let st = SafeTensors::deserialize(buffer)
            .map_err(|e| TensorFileError::Invalid(format!("not a valid safetensors file: {e}")))?;
        let mut tensors = BTreeMap::new();
        for (name, view) in st.tensors() {
            tensors.insert(
                name,
                RawTensor {
                    dtype: view.dtype(),
                    shape: view.shape().to_vec(),
                    bytes: view.data().to_vec(),
                },
            );
        }
        Ok(TensorStore { tensors })
    }

    /// Serializes to safetensors bytes (deterministic: tensors sorted, fixed metadata).
    pub fn to_safetensors(&self) -> Vec<u8> {
        let views: Vec<(&String, TensorView<'_>)> = self
            .tensors
            .iter()
            .map(|(name, t)| {
                let view = TensorView::new(t.dtype, t.shape.clone(), &t.bytes)
                    .expect("RawTensor byte length always matches its shape");
                (name, view)
            })
            .collect();
        let metadata = Some(
            [("format".to_string(), "semifreddo".to_string())]
                .into_iter()
                .collect(),
        );
        safetensors::serialize(views, &metadata).expect("serializing in-memory tensors cannot fail")
    }
}

/// Short dtype name for messages, as safetensors spells it.
pub fn dtype_name(d: Dtype) -> String {
    format!("{d:?}")
}
