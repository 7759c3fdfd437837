//! The wake-word detector: microWakeWord models ("alexa") run on the features of the
//! TFLite Micro audio frontend. [`frontend`] computes those features from 16 kHz audio,
//! bit-exact with the pymicro-features reference.

mod compress;
mod fft;
mod filterbank;
pub mod frontend;
