//! The few TensorFlow Lite C API calls the wake-word model needs: load a `.tflite` file,
//! run one quantised input through it, read one quantised output.
//!
//! `libtensorflowlite_c.so` comes from the PyPI `pymicro-wakeword` wheel (see `build.rs`);
//! without it this module still compiles and [`Model::load`] says how to install it.
//! microWakeWord models are streaming models: they keep state between calls (their
//! ring buffers are variables inside the interpreter), so starting a new stream means a
//! new interpreter ([`Model::restart`]); the model itself is loaded once.

use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::path::{Path, PathBuf};

use super::WakeWordError;

/// True when libtensorflowlite_c was linked into this build.
pub(crate) const AVAILABLE: bool = cfg!(roomvoice_tflite);

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct QuantizationParams {
    scale: f32,
    zero_point: i32,
}

#[allow(non_camel_case_types)]
type TfLiteModel = c_void;
#[allow(non_camel_case_types)]
type TfLiteInterpreter = c_void;
#[allow(non_camel_case_types)]
type TfLiteInterpreterOptions = c_void;
#[allow(non_camel_case_types)]
type TfLiteTensor = c_void;

/// `TfLiteType` values of the quantised tensors microWakeWord models use.
const TYPE_UINT8: c_int = 3;
const TYPE_INT8: c_int = 9;

#[cfg(roomvoice_tflite)]
mod ffi {
    use super::*;
    extern "C" {
        pub(crate) fn TfLiteModelCreateFromFile(path: *const c_char) -> *mut TfLiteModel;
        pub(crate) fn TfLiteModelDelete(model: *mut TfLiteModel);
        pub(crate) fn TfLiteInterpreterOptionsCreate() -> *mut TfLiteInterpreterOptions;
        pub(crate) fn TfLiteInterpreterOptionsSetNumThreads(
            options: *mut TfLiteInterpreterOptions,
            threads: i32,
        );
        pub(crate) fn TfLiteInterpreterOptionsDelete(options: *mut TfLiteInterpreterOptions);
        pub(crate) fn TfLiteInterpreterCreate(
            model: *const TfLiteModel,
            options: *const TfLiteInterpreterOptions,
        ) -> *mut TfLiteInterpreter;
        pub(crate) fn TfLiteInterpreterDelete(interpreter: *mut TfLiteInterpreter);
        pub(crate) fn TfLiteInterpreterAllocateTensors(
            interpreter: *mut TfLiteInterpreter,
        ) -> c_int;
        pub(crate) fn TfLiteInterpreterInvoke(interpreter: *mut TfLiteInterpreter) -> c_int;
        pub(crate) fn TfLiteInterpreterGetInputTensor(
            interpreter: *const TfLiteInterpreter,
            index: i32,
        ) -> *mut TfLiteTensor;
        pub(crate) fn TfLiteInterpreterGetOutputTensor(
            interpreter: *const TfLiteInterpreter,
            index: i32,
        ) -> *const TfLiteTensor;
        pub(crate) fn TfLiteTensorType(tensor: *const TfLiteTensor) -> c_int;
        pub(crate) fn TfLiteTensorNumDims(tensor: *const TfLiteTensor) -> i32;
        pub(crate) fn TfLiteTensorDim(tensor: *const TfLiteTensor, index: i32) -> i32;
        pub(crate) fn TfLiteTensorByteSize(tensor: *const TfLiteTensor) -> usize;
        pub(crate) fn TfLiteTensorQuantizationParams(
            tensor: *const TfLiteTensor,
        ) -> QuantizationParams;
        pub(crate) fn TfLiteTensorCopyFromBuffer(
            tensor: *mut TfLiteTensor,
            data: *const c_void,
            size: usize,
        ) -> c_int;
        pub(crate) fn TfLiteTensorCopyToBuffer(
            tensor: *const TfLiteTensor,
            data: *mut c_void,
            size: usize,
        ) -> c_int;
    }
}

/// Stand-ins so the module compiles without the library; [`Model::load`] refuses
/// before any of these could run.
#[cfg(not(roomvoice_tflite))]
#[allow(non_snake_case, clippy::missing_safety_doc)]
mod ffi {
    use super::*;
    pub(crate) unsafe fn TfLiteModelCreateFromFile(_: *const c_char) -> *mut TfLiteModel {
        std::ptr::null_mut()
    }
    pub(crate) unsafe fn TfLiteModelDelete(_: *mut TfLiteModel) {}
    pub(crate) unsafe fn TfLiteInterpreterOptionsCreate() -> *mut TfLiteInterpreterOptions {
        std::ptr::null_mut()
    }
    pub(crate) unsafe fn TfLiteInterpreterOptionsSetNumThreads(
        _: *mut TfLiteInterpreterOptions,
        _: i32,
    ) {
    }
    pub(crate) unsafe fn TfLiteInterpreterOptionsDelete(_: *mut TfLiteInterpreterOptions) {}
    pub(crate) unsafe fn TfLiteInterpreterCreate(
        _: *const TfLiteModel,
        _: *const TfLiteInterpreterOptions,
    ) -> *mut TfLiteInterpreter {
        std::ptr::null_mut()
    }
    pub(crate) unsafe fn TfLiteInterpreterDelete(_: *mut TfLiteInterpreter) {}
    pub(crate) unsafe fn TfLiteInterpreterAllocateTensors(_: *mut TfLiteInterpreter) -> c_int {
        1
    }
    pub(crate) unsafe fn TfLiteInterpreterInvoke(_: *mut TfLiteInterpreter) -> c_int {
        1
    }
    pub(crate) unsafe fn TfLiteInterpreterGetInputTensor(
        _: *const TfLiteInterpreter,
        _: i32,
    ) -> *mut TfLiteTensor {
        std::ptr::null_mut()
    }
    pub(crate) unsafe fn TfLiteInterpreterGetOutputTensor(
        _: *const TfLiteInterpreter,
        _: i32,
    ) -> *const TfLiteTensor {
        std::ptr::null()
    }
    pub(crate) unsafe fn TfLiteTensorType(_: *const TfLiteTensor) -> c_int {
        0
    }
    pub(crate) unsafe fn TfLiteTensorNumDims(_: *const TfLiteTensor) -> i32 {
        0
    }
    pub(crate) unsafe fn TfLiteTensorDim(_: *const TfLiteTensor, _: i32) -> i32 {
        0
    }
    pub(crate) unsafe fn TfLiteTensorByteSize(_: *const TfLiteTensor) -> usize {
        0
    }
    pub(crate) unsafe fn TfLiteTensorQuantizationParams(
        _: *const TfLiteTensor,
    ) -> QuantizationParams {
        QuantizationParams::default()
    }
    pub(crate) unsafe fn TfLiteTensorCopyFromBuffer(
        _: *mut TfLiteTensor,
        _: *const c_void,
        _: usize,
    ) -> c_int {
        1
    }
    pub(crate) unsafe fn TfLiteTensorCopyToBuffer(
        _: *const TfLiteTensor,
        _: *mut c_void,
        _: usize,
    ) -> c_int {
        1
    }
}

/// Signed or unsigned 8-bit quantisation of a tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Quantized {
    signed: bool,
    scale: f32,
    zero_point: i32,
}

impl Quantized {
    fn of(tensor: *const TfLiteTensor, what: &str, path: &Path) -> Result<Self, WakeWordError> {
        // SAFETY: a live tensor of a live interpreter.
        let (kind, params) = unsafe {
            (
                ffi::TfLiteTensorType(tensor),
                ffi::TfLiteTensorQuantizationParams(tensor),
            )
        };
        let signed = match kind {
            TYPE_INT8 => true,
            TYPE_UINT8 => false,
            other => {
                return Err(WakeWordError::Model {
                    path: path.to_path_buf(),
                    reason: format!(
                        "its {what} tensor has type {other}, not 8-bit quantised: not a microWakeWord model"
                    ),
                })
            }
        };
        if !(params.scale.is_finite() && params.scale > 0.0) {
            return Err(WakeWordError::Model {
                path: path.to_path_buf(),
                reason: format!("its {what} tensor has no quantisation scale"),
            });
        }
        Ok(Quantized {
            signed,
            scale: params.scale,
            zero_point: params.zero_point,
        })
    }

    /// As the reference does it (numpy, in double precision, ties to even), so the
    /// model sees the very same bytes.
    fn quantize(&self, value: f32) -> u8 {
        let q = (f64::from(value) / f64::from(self.scale) + f64::from(self.zero_point))
            .round_ties_even();
        if self.signed {
            (q.clamp(-128.0, 127.0) as i8) as u8
        } else {
            q.clamp(0.0, 255.0) as u8
        }
    }

    fn dequantize(&self, byte: u8) -> f32 {
        let q = if self.signed {
            i32::from(byte as i8)
        } else {
            i32::from(byte)
        };
        (q - self.zero_point) as f32 * self.scale
    }
}

/// A loaded streaming model and its interpreter.
pub(crate) struct Model {
    path: PathBuf,
    model: *mut TfLiteModel,
    interpreter: *mut TfLiteInterpreter,
    input: *mut TfLiteTensor,
    output: *const TfLiteTensor,
    input_q: Quantized,
    output_q: Quantized,
    /// Feature vectors per inference (the input's second dimension; 3 for the
    /// published models: 30 ms of features per step).
    pub stride: usize,
    /// Features per vector (the input's last dimension, 40).
    pub features: usize,
    input_bytes: Vec<u8>,
}

// SAFETY: the interpreter is used by one thread at a time (the owner of the Model);
// nothing in it is tied to the thread that created it.
unsafe impl Send for Model {}

impl Model {
    /// Loads a `.tflite` model and prepares an interpreter.
    pub(crate) fn load(path: &Path) -> Result<Model, WakeWordError> {
        if !AVAILABLE {
            return Err(WakeWordError::NotBuilt);
        }
        if !path.is_file() {
            return Err(WakeWordError::Missing {
                path: path.to_path_buf(),
            });
        }
        let c_path =
            CString::new(path.to_string_lossy().as_bytes()).map_err(|_| WakeWordError::Model {
                path: path.to_path_buf(),
                reason: "the path contains a NUL byte".into(),
            })?;
        // SAFETY: a NUL-terminated path; the model is owned by the returned Model.
        let model = unsafe { ffi::TfLiteModelCreateFromFile(c_path.as_ptr()) };
        if model.is_null() {
            return Err(WakeWordError::Model {
                path: path.to_path_buf(),
                reason: "TensorFlow Lite cannot read it (not a .tflite flatbuffer?)".into(),
            });
        }
        let mut loaded = Model {
            path: path.to_path_buf(),
            model,
            interpreter: std::ptr::null_mut(),
            input: std::ptr::null_mut(),
            output: std::ptr::null(),
            input_q: Quantized {
                signed: true,
                scale: 1.0,
                zero_point: 0,
            },
            output_q: Quantized {
                signed: false,
                scale: 1.0,
                zero_point: 0,
            },
            stride: 0,
            features: 0,
            input_bytes: Vec::new(),
        };
        loaded.restart()?;
        Ok(loaded)
    }

    /// A fresh interpreter: the model's streaming state back to silence.
    pub(crate) fn restart(&mut self) -> Result<(), WakeWordError> {
        self.free_interpreter();
        let fail = |reason: &str| WakeWordError::Model {
            path: self.path.clone(),
            reason: reason.to_string(),
        };
        // SAFETY: the model is live; options are freed right after the interpreter is
        // created (the interpreter copies them); the interpreter is owned by self.
        unsafe {
            let options = ffi::TfLiteInterpreterOptionsCreate();
            if !options.is_null() {
                // One thread: the model is tiny, and the speech engine needs the rest.
                ffi::TfLiteInterpreterOptionsSetNumThreads(options, 1);
            }
            self.interpreter = ffi::TfLiteInterpreterCreate(self.model, options);
            if !options.is_null() {
                ffi::TfLiteInterpreterOptionsDelete(options);
            }
            if self.interpreter.is_null() {
                return Err(fail("TensorFlow Lite cannot build an interpreter for it"));
            }
            if ffi::TfLiteInterpreterAllocateTensors(self.interpreter) != 0 {
                return Err(fail("TensorFlow Lite cannot allocate its tensors"));
            }
            self.input = ffi::TfLiteInterpreterGetInputTensor(self.interpreter, 0);
            self.output = ffi::TfLiteInterpreterGetOutputTensor(self.interpreter, 0);
            if self.input.is_null() || self.output.is_null() {
                return Err(fail("it has no input or output tensor"));
            }
            let dims = ffi::TfLiteTensorNumDims(self.input);
            if dims != 3 {
                return Err(fail(&format!(
                    "its input has {dims} dimensions, not 3 (batch, steps, features)"
                )));
            }
            self.stride = ffi::TfLiteTensorDim(self.input, 1).max(0) as usize;
            self.features = ffi::TfLiteTensorDim(self.input, 2).max(0) as usize;
            if ffi::TfLiteTensorByteSize(self.input) != self.stride * self.features {
                return Err(fail("its input is not one byte per feature"));
            }
            if ffi::TfLiteTensorByteSize(self.output) != 1 {
                return Err(fail("its output is not one probability"));
            }
        }
        self.input_q = Quantized::of(self.input, "input", &self.path)?;
        self.output_q = Quantized::of(self.output, "output", &self.path)?;
        self.input_bytes = vec![0; self.stride * self.features];
        Ok(())
    }

    /// Runs one step: `stride` feature vectors of `features` values, concatenated. Returns
    /// the model's probability that the wake word just ended.
    pub(crate) fn infer(&mut self, features: &[f32]) -> Result<f32, WakeWordError> {
        if features.len() != self.input_bytes.len() {
            return Err(WakeWordError::Model {
                path: self.path.clone(),
                reason: format!(
                    "{} features given for an input of {}",
                    features.len(),
                    self.input_bytes.len()
                ),
            });
        }
        for (byte, &value) in self.input_bytes.iter_mut().zip(features) {
            *byte = self.input_q.quantize(value);
        }
        let mut out = 0u8;
        // SAFETY: live interpreter and tensors; the buffers have the tensors' byte sizes
        // (checked in `restart`).
        let status = unsafe {
            let copied = ffi::TfLiteTensorCopyFromBuffer(
                self.input,
                self.input_bytes.as_ptr().cast(),
                self.input_bytes.len(),
            );
            if copied != 0 {
                copied
            } else {
                let invoked = ffi::TfLiteInterpreterInvoke(self.interpreter);
                if invoked != 0 {
                    invoked
                } else {
                    ffi::TfLiteTensorCopyToBuffer(self.output, (&mut out as *mut u8).cast(), 1)
                }
            }
        };
        if status != 0 {
            return Err(WakeWordError::Model {
                path: self.path.clone(),
                reason: format!("inference failed (TfLiteStatus {status})"),
            });
        }
        Ok(self.output_q.dequantize(out))
    }

    fn free_interpreter(&mut self) {
        if !self.interpreter.is_null() {
            // SAFETY: created by restart and deleted once.
            unsafe { ffi::TfLiteInterpreterDelete(self.interpreter) };
            self.interpreter = std::ptr::null_mut();
            self.input = std::ptr::null_mut();
            self.output = std::ptr::null();
        }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        self.free_interpreter();
        if !self.model.is_null() {
            // SAFETY: created in load, deleted once, after its interpreter.
            unsafe { ffi::TfLiteModelDelete(self.model) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantisation_round_trips_within_half_a_step() {
        let q = Quantized {
            signed: true,
            scale: 0.1,
            zero_point: -128,
        };
        for value in [0.0f32, 1.0, 12.3, 25.4] {
            let back = q.dequantize(q.quantize(value));
            assert!((back - value).abs() <= 0.05 + 1e-4, "{value} -> {back}");
        }
        // Out of range saturates instead of wrapping around.
        assert_eq!(q.dequantize(q.quantize(1000.0)), (127 + 128) as f32 * 0.1);
        let u = Quantized {
            signed: false,
            scale: 1.0 / 256.0,
            zero_point: 0,
        };
        assert_eq!(u.dequantize(255), 255.0 / 256.0);
        assert_eq!(u.quantize(-1.0), 0);
    }
}
