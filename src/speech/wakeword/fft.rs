//! KISS FFT's 16-bit fixed-point real FFT (`kiss_fftr` built with `FIXED_POINT=16`), as
//! the TFLite Micro frontend uses it, reproduced to the bit.
//!
//! Every butterfly stage divides its inputs by the radix (with rounding) so values stay
//! in `i16`; additions wrap like the C code's stores into `short`. The twiddles are
//! rounded from `f64` cos/sin exactly as KISS FFT rounds them. Only power-of-two sizes
//! are supported (radix 4, then radix 2), which is all the frontend needs.

/// A complex value in Q15, like `kiss_fft_cpx` with `kiss_fft_scalar = int16_t`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Cpx {
    pub(super) r: i16,
    pub(super) i: i16,
}

/// Fraction bits of the fixed-point scalar.
const FRAC_BITS: u32 = 15;

/// `sround`: round a Q30 product back to Q15 (truncating to 16 bits like the C cast).
#[inline]
fn sround(x: i32) -> i16 {
    (x.wrapping_add(1 << (FRAC_BITS - 1)) >> FRAC_BITS) as i16
}

/// `S_MUL`.
#[inline]
fn s_mul(a: i16, b: i16) -> i16 {
    sround(i32::from(a) * i32::from(b))
}

/// `C_MUL`: complex product; the sum of two Q30 products can in principle wrap, as in C.
#[inline]
fn c_mul(a: Cpx, b: Cpx) -> Cpx {
    let (ar, ai, br, bi) = (
        i32::from(a.r),
        i32::from(a.i),
        i32::from(b.r),
        i32::from(b.i),
    );
    Cpx {
        r: sround((ar * br).wrapping_sub(ai * bi)),
        i: sround((ar * bi).wrapping_add(ai * br)),
    }
}

/// `C_FIXDIV`: divide by `div` as a multiplication by `i16::MAX / div`.
#[inline]
fn c_fixdiv(c: Cpx, div: i16) -> Cpx {
    let k = i16::MAX / div;
    Cpx {
        r: s_mul(c.r, k),
        i: s_mul(c.i, k),
    }
}

#[inline]
fn c_add(a: Cpx, b: Cpx) -> Cpx {
    Cpx {
        r: a.r.wrapping_add(b.r),
        i: a.i.wrapping_add(b.i),
    }
}

#[inline]
fn c_sub(a: Cpx, b: Cpx) -> Cpx {
    Cpx {
        r: a.r.wrapping_sub(b.r),
        i: a.i.wrapping_sub(b.i),
    }
}

/// `kf_cexp` in fixed point: `floor(0.5 + 32767 * cos(phase))`, same for sin.
fn cexp(phase: f64) -> Cpx {
    let max = f64::from(i16::MAX);
    Cpx {
        r: (0.5 + max * phase.cos()).floor() as i16,
        i: (0.5 + max * phase.sin()).floor() as i16,
    }
}

/// One stage of the decimation-in-time recursion: `p` sub-transforms of length `m`,
/// twiddles taken every `fstride` entries.
#[derive(Debug, Clone, Copy)]
struct Stage {
    p: usize,
    m: usize,
    fstride: usize,
}

/// A forward complex FFT (`kiss_fft`), with KISS FFT's recursion unrolled into an input
/// permutation and stages run innermost first; the butterflies of one stage touch
/// disjoint data, so the order in which blocks are visited does not change the result.
#[derive(Debug, Clone)]
struct ComplexFft {
    twiddles: Vec<Cpx>,
    /// Outermost stage first (as `kf_factor` lists them).
    stages: Vec<Stage>,
    /// `out[k] = input[perm[k]]` before the first butterfly.
    perm: Vec<usize>,
}

impl ComplexFft {
    fn new(n: usize) -> ComplexFft {
        assert!(
            n.is_power_of_two() && n >= 2,
            "FFT size {n} is not a power of two"
        );
        let twiddles = (0..n)
            .map(|i| cexp(-2.0 * std::f64::consts::PI * i as f64 / n as f64))
            .collect();

        // kf_factor: powers of 4 first, then a 2.
        let mut stages = Vec::new();
        let (mut rest, mut fstride) = (n, 1);
        while rest > 1 {
            let p = if rest % 4 == 0 { 4 } else { 2 };
            rest /= p;
            stages.push(Stage {
                p,
                m: rest,
                fstride,
            });
            fstride *= p;
        }

        let mut perm = vec![0; n];
        fill_perm(&mut perm, 0, 0, 1, &stages);
        ComplexFft {
            twiddles,
            stages,
            perm,
        }
    }

    fn run(&self, input: &[Cpx], out: &mut [Cpx]) {
        for (o, &k) in out.iter_mut().zip(&self.perm) {
            *o = input[k];
        }
        for stage in self.stages.iter().rev() {
            for block in out.chunks_exact_mut(stage.p * stage.m) {
                match stage.p {
                    4 => self.bfly4(block, stage.fstride, stage.m),
                    _ => self.bfly2(block, stage.fstride, stage.m),
                }
            }
        }
    }

    /// `kf_bfly2`.
    fn bfly2(&self, f: &mut [Cpx], fstride: usize, m: usize) {
        for k in 0..m {
            let a = c_fixdiv(f[k], 2);
            let b = c_fixdiv(f[k + m], 2);
            let t = c_mul(b, self.twiddles[k * fstride]);
            f[k + m] = c_sub(a, t);
            f[k] = c_add(a, t);
        }
    }

    /// `kf_bfly4` (forward direction).
    fn bfly4(&self, f: &mut [Cpx], fstride: usize, m: usize) {
        let tw = &self.twiddles;
        for k in 0..m {
            let f0 = c_fixdiv(f[k], 4);
            let f1 = c_fixdiv(f[k + m], 4);
            let f2 = c_fixdiv(f[k + 2 * m], 4);
            let f3 = c_fixdiv(f[k + 3 * m], 4);

            let s0 = c_mul(f1, tw[k * fstride]);
            let s1 = c_mul(f2, tw[2 * k * fstride]);
            let s2 = c_mul(f3, tw[3 * k * fstride]);

            let s5 = c_sub(f0, s1);
            let f0 = c_add(f0, s1);
            let s3 = c_add(s0, s2);
            let s4 = c_sub(s0, s2);
            f[k + 2 * m] = c_sub(f0, s3);
            f[k] = c_add(f0, s3);
            f[k + m] = Cpx {
                r: s5.r.wrapping_add(s4.i),
                i: s5.i.wrapping_sub(s4.r),
            };
            f[k + 3 * m] = Cpx {
                r: s5.r.wrapping_sub(s4.i),
                i: s5.i.wrapping_add(s4.r),
            };
        }
    }
}

/// Where `kf_work` copies each input sample before the innermost butterflies.
fn fill_perm(perm: &mut [usize], out: usize, input: usize, fstride: usize, stages: &[Stage]) {
    let Some((stage, inner)) = stages.split_first() else {
        return;
    };
    for j in 0..stage.p {
        let (o, i) = (out + j * stage.m, input + j * fstride);
        if stage.m == 1 {
            perm[o] = i;
        } else {
            fill_perm(perm, o, i, fstride * stage.p, inner);
        }
    }
}

/// A forward real FFT of `n` samples (`kiss_fftr`): a complex FFT of `n / 2` points on
/// the samples taken in pairs, then a split step with its own twiddles.
#[derive(Debug, Clone)]
pub(super) struct RealFft {
    sub: ComplexFft,
    super_twiddles: Vec<Cpx>,
    /// The packed input and the complex FFT's output (scratch, reused every call).
    packed: Vec<Cpx>,
    tmp: Vec<Cpx>,
}

impl RealFft {
    pub(super) fn new(n: usize) -> RealFft {
        let half = n / 2;
        let super_twiddles = (0..half / 2)
            .map(|i| cexp(-std::f64::consts::PI * ((i + 1) as f64 / half as f64 + 0.5)))
            .collect();
        RealFft {
            sub: ComplexFft::new(half),
            super_twiddles,
            packed: vec![Cpx::default(); half],
            tmp: vec![Cpx::default(); half],
        }
    }

    /// Transforms `input` (`n` samples) into `out` (`n / 2 + 1` bins).
    pub(super) fn run(&mut self, input: &[i16], out: &mut [Cpx]) {
        let ncfft = self.packed.len();
        debug_assert_eq!(input.len(), 2 * ncfft);
        debug_assert_eq!(out.len(), ncfft + 1);
        for (c, pair) in self.packed.iter_mut().zip(input.chunks_exact(2)) {
            *c = Cpx {
                r: pair[0],
                i: pair[1],
            };
        }
        self.sub.run(&self.packed, &mut self.tmp);
        let tmp = &self.tmp;

        let dc = c_fixdiv(tmp[0], 2);
        out[0] = Cpx {
            r: dc.r.wrapping_add(dc.i),
            i: 0,
        };
        out[ncfft] = Cpx {
            r: dc.r.wrapping_sub(dc.i),
            i: 0,
        };

        // HALF_OF on the int-promoted sum, then stored into 16 bits.
        let half = |a: i16, b: i32| ((i32::from(a) + b) >> 1) as i16;
        for k in 1..=ncfft / 2 {
            let fpk = c_fixdiv(tmp[k], 2);
            let conj = Cpx {
                r: tmp[ncfft - k].r,
                i: tmp[ncfft - k].i.wrapping_neg(),
            };
            let fpnk = c_fixdiv(conj, 2);
            let f1k = c_add(fpk, fpnk);
            let f2k = c_sub(fpk, fpnk);
            let tw = c_mul(f2k, self.super_twiddles[k - 1]);
            // For k == ncfft / 2 both writes hit the same bin; the second wins, as in C.
            out[k] = Cpx {
                r: half(f1k.r, i32::from(tw.r)),
                i: half(f1k.i, i32::from(tw.i)),
            };
            out[ncfft - k] = Cpx {
                r: half(f1k.r, -i32::from(tw.r)),
                i: half(tw.i, -i32::from(f1k.i)),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The twiddles (from f64 sin/cos) equal those in the reference's state.
    #[test]
    fn twiddles_match_reference() {
        let tables = crate::speech::wakeword::frontend::tests::reference_tables();
        let pairs = |key: &str| -> Vec<Cpx> {
            tables[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| Cpx {
                    r: p[0].as_i64().unwrap() as i16,
                    i: p[1].as_i64().unwrap() as i16,
                })
                .collect()
        };
        let fft = RealFft::new(512);
        assert_eq!(fft.sub.twiddles, pairs("fft_twiddles"));
        assert_eq!(fft.super_twiddles, pairs("fft_super_twiddles"));
    }

    /// The fixed-point transform tracks a float DFT of the same input (scaled by 1/n, as
    /// KISS FFT's per-stage divisions scale it) to within a few LSB.
    #[test]
    fn real_fft_matches_a_float_dft() {
        let n = 512;
        let input: Vec<i16> = (0..n)
            .map(|i| {
                let t = i as f64;
                (9000.0 * (0.3 * t).sin() + 5000.0 * (1.7 * t + 0.4).cos()) as i16
            })
            .collect();
        let mut fft = RealFft::new(n);
        let mut out = vec![Cpx::default(); n / 2 + 1];
        fft.run(&input, &mut out);
        for (k, bin) in out.iter().enumerate() {
            let (mut re, mut im) = (0.0, 0.0);
            for (t, &x) in input.iter().enumerate() {
                let phase = -2.0 * std::f64::consts::PI * (k * t) as f64 / n as f64;
                re += f64::from(x) * phase.cos();
                im += f64::from(x) * phase.sin();
            }
            let (re, im) = (re / n as f64, im / n as f64);
            assert!(
                (f64::from(bin.r) - re).abs() < 4.0 && (f64::from(bin.i) - im).abs() < 4.0,
                "bin {k}: {bin:?} vs {re:.1} {im:.1}"
            );
        }
    }
}
