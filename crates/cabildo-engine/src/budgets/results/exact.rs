//! Exact integers for the Method of Equal Shares that live inline, without
//! allocating, while they fit in 384 bits, and move to `BigInt` beyond.
//!
//! Money in a run is kept over one common denominator that grows with each
//! purchase: ~50 bits on small elections, ~180 on Amsterdam's 52 projects,
//! and the products compared are twice that. `BigInt` allocates on every
//! operation, which was most of a run's time; these numbers allocate only
//! when a value outgrows the inline limbs, and are exact either way.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use std::cmp::Ordering;
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// 64-bit limbs kept inline.
const LIMBS: usize = 6;

/// An exact integer. Values that fit in `LIMBS` limbs are always `Small`,
/// so the two forms never hold the same value.
#[derive(Clone, Debug)]
pub(super) enum Int {
    /// Sign and magnitude inline.
    Small(Small),
    /// Too large for the inline limbs.
    Big(BigInt),
}

/// Sign and magnitude in little-endian limbs, without leading zero limbs;
/// zero is never negative.
#[derive(Clone, Copy, Debug)]
pub(super) struct Small {
    negative: bool,
    len: u8,
    limbs: [u64; LIMBS],
}

impl Small {
    #[inline]
    fn new(negative: bool, limbs: [u64; LIMBS], len: usize) -> Self {
        let mut len = len;
        while len > 0 && limbs[len - 1] == 0 {
            len -= 1;
        }
        Small {
            negative: negative && len > 0,
            // At most LIMBS (6).
            len: len as u8,
            limbs,
        }
    }

    fn magnitude(&self) -> &[u64] {
        &self.limbs[..usize::from(self.len)]
    }

    fn negated(mut self) -> Self {
        self.negative = !self.negative && self.len > 0;
        self
    }
}

#[inline]
fn magnitude_cmp(a: &[u64], b: &[u64]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// `|a| + |b|` with `a`'s sign, when it fits inline. Inputs have no
/// leading zero limbs, so neither does the sum.
#[inline]
fn magnitude_add(a: &Small, b: &Small) -> Option<Small> {
    let (long, short) = if a.len >= b.len { (a, b) } else { (b, a) };
    let mut out = Small {
        negative: a.negative,
        len: long.len,
        limbs: [0; LIMBS],
    };
    let mut carry = false;
    for i in 0..usize::from(long.len) {
        let (sum, first) = long.limbs[i].overflowing_add(short.limbs[i]);
        let (sum, second) = sum.overflowing_add(u64::from(carry));
        out.limbs[i] = sum;
        carry = first || second;
    }
    if carry {
        let len = usize::from(long.len);
        if len == LIMBS {
            return None;
        }
        out.limbs[len] = 1;
        out.len += 1;
    }
    Some(out)
}

/// `|a| − |b|` for `|a| > |b|`, with the given sign.
#[inline]
fn magnitude_sub(a: &Small, b: &Small, negative: bool) -> Small {
    let mut limbs = [0; LIMBS];
    let mut borrow = false;
    for ((out, &x), &y) in limbs.iter_mut().zip(a.magnitude()).zip(&b.limbs) {
        let (difference, first) = x.overflowing_sub(y);
        let (difference, second) = difference.overflowing_sub(u64::from(borrow));
        *out = difference;
        borrow = first || second;
    }
    Small::new(negative, limbs, usize::from(a.len))
}

/// `a·b`, when it fits inline. Inputs have no leading zero limbs, so the
/// product has `len(a) + len(b)` limbs or one fewer.
#[inline]
fn small_mul(a: &Small, b: &Small) -> Option<Small> {
    let (la, lb) = (usize::from(a.len), usize::from(b.len));
    if la == 0 || lb == 0 {
        return Some(Small::new(false, [0; LIMBS], 0));
    }
    let len = la + lb;
    if len > LIMBS {
        return None;
    }
    let mut out = Small {
        negative: a.negative != b.negative,
        // At most LIMBS (6).
        len: len as u8,
        limbs: [0; LIMBS],
    };
    // Most products in a run have a one-limb side (points, weights).
    let (long, short) = if la >= lb { (a, b) } else { (b, a) };
    if short.len == 1 {
        let y = u128::from(short.limbs[0]);
        let mut carry: u128 = 0;
        for i in 0..usize::from(long.len) {
            let t = u128::from(long.limbs[i]) * y + carry;
            out.limbs[i] = t as u64;
            carry = t >> 64;
        }
        out.limbs[len - 1] = carry as u64;
    } else {
        for i in 0..la {
            let x = u128::from(a.limbs[i]);
            let mut carry: u128 = 0;
            for j in 0..lb {
                // At most (2⁶⁴−1)² + 2·(2⁶⁴−1) = 2¹²⁸ − 1: never overflows.
                let t = x * u128::from(b.limbs[j]) + u128::from(out.limbs[i + j]) + carry;
                out.limbs[i + j] = t as u64;
                carry = t >> 64;
            }
            out.limbs[i + lb] = carry as u64;
        }
    }
    if out.limbs[len - 1] == 0 {
        out.len -= 1;
    }
    Some(out)
}

#[inline]
fn small_add(a: &Small, b: &Small) -> Option<Small> {
    if a.negative == b.negative {
        return magnitude_add(a, b);
    }
    Some(match magnitude_cmp(a.magnitude(), b.magnitude()) {
        Ordering::Equal => Small::new(false, [0; LIMBS], 0),
        Ordering::Greater => magnitude_sub(a, b, a.negative),
        Ordering::Less => magnitude_sub(b, a, b.negative),
    })
}

#[inline]
fn small_cmp(a: &Small, b: &Small) -> Ordering {
    match (a.negative, b.negative) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => magnitude_cmp(a.magnitude(), b.magnitude()),
        (true, true) => magnitude_cmp(b.magnitude(), a.magnitude()),
    }
}

impl Int {
    pub(super) fn zero() -> Self {
        Int::Small(Small::new(false, [0; LIMBS], 0))
    }

    pub(super) fn one() -> Self {
        Int::from(1_u64)
    }

    pub(super) fn is_zero(&self) -> bool {
        matches!(self, Int::Small(s) if s.len == 0)
    }

    pub(super) fn is_one(&self) -> bool {
        matches!(self, Int::Small(s) if !s.negative && s.magnitude() == [1])
    }

    /// The sign, as the comparison with zero.
    pub(super) fn signum(&self) -> Ordering {
        match self {
            Int::Small(s) if s.len == 0 => Ordering::Equal,
            Int::Small(s) if s.negative => Ordering::Less,
            Int::Small(_) => Ordering::Greater,
            Int::Big(b) if b.sign() == Sign::Minus => Ordering::Less,
            Int::Big(_) => Ordering::Greater,
        }
    }

    pub(super) fn is_positive(&self) -> bool {
        self.signum() == Ordering::Greater
    }

    pub(super) fn abs(&self) -> Int {
        match self {
            Int::Small(s) => Int::Small(Small {
                negative: false,
                ..*s
            }),
            Int::Big(b) => Int::Big(num_traits::Signed::abs(b)),
        }
    }

    /// The quotient rounded up (division by zero gives zero: callers
    /// divide by non-zero values).
    pub(super) fn div_ceil(&self, divisor: &Int) -> Int {
        if divisor.is_zero() {
            return Int::zero();
        }
        Int::from(Integer::div_ceil(&self.to_big(), &divisor.to_big()))
    }

    /// The quotient of an exact division.
    pub(super) fn div_exact(&self, divisor: &Int) -> Int {
        if divisor.is_zero() {
            return Int::zero();
        }
        if let (Int::Small(n), Int::Small(d)) = (self, divisor)
            && let [d_limb] = d.magnitude()
        {
            // Long division by one limb, from the top.
            let mut limbs = [0; LIMBS];
            let mut remainder = 0_u128;
            for (i, &limb) in n.magnitude().iter().enumerate().rev() {
                let current = remainder << 64 | u128::from(limb);
                limbs[i] = (current / u128::from(*d_limb)) as u64;
                remainder = current % u128::from(*d_limb);
            }
            return Int::Small(Small::new(
                n.negative != d.negative,
                limbs,
                usize::from(n.len),
            ));
        }
        Int::from(self.to_big() / divisor.to_big())
    }

    /// The greatest common divisor (non-negative).
    pub(super) fn gcd(&self, other: &Int) -> Int {
        // When one side fits in a limb (a purchase's utility, usually),
        // the other is first reduced modulo it, limb by limb.
        for (wide, narrow) in [(self, other), (other, self)] {
            if let (Int::Small(w), Int::Small(n)) = (wide, narrow)
                && let [divisor] = n.magnitude()
            {
                let remainder = w.magnitude().iter().rev().fold(0_u64, |remainder, &limb| {
                    ((u128::from(remainder) << 64 | u128::from(limb)) % u128::from(*divisor)) as u64
                });
                return Int::from(remainder.gcd(divisor));
            }
        }
        Int::from(self.to_big().gcd(&other.to_big()))
    }

    /// The top 64 bits of the magnitude (highest bit set) and its length
    /// in bits; zero for zero.
    fn top(&self) -> (u64, u64) {
        match self {
            Int::Small(s) if s.len == 0 => (0, 0),
            Int::Small(s) => {
                let limbs = s.magnitude();
                let high = limbs[limbs.len() - 1];
                let shift = high.leading_zeros();
                let below = if limbs.len() > 1 {
                    limbs[limbs.len() - 2]
                } else {
                    0
                };
                let top = if shift == 0 {
                    high
                } else {
                    high << shift | below >> (64 - shift)
                };
                (top, 64 * limbs.len() as u64 - u64::from(shift))
            }
            Int::Big(b) => {
                let bits = b.bits();
                let top =
                    num_traits::ToPrimitive::to_u64(&(num_traits::Signed::abs(b) >> (bits - 64)))
                        .unwrap_or(u64::MAX);
                (top, bits)
            }
        }
    }

    /// A key that orders positive ratios `a / b` approximately, for
    /// deciding what to look at first, never what is decided: the
    /// binary exponent, then 64 bits of mantissa (zero comes first).
    pub(super) fn ratio_key(a: &Int, b: &Int) -> (i64, u64) {
        let ((top_a, bits_a), (top_b, bits_b)) = (a.top(), b.top());
        if top_a == 0 || top_b == 0 {
            return (i64::MIN, 0);
        }
        // Both in [2⁶³, 2⁶⁴): the quotient is in (2⁶², 2⁶⁴).
        let quotient = (u128::from(top_a) << 63) / u128::from(top_b);
        let exponent = bits_a as i64 - bits_b as i64;
        if quotient >> 63 != 0 {
            (exponent, quotient as u64)
        } else {
            (exponent - 1, (quotient << 1) as u64)
        }
    }

    pub(super) fn to_big(&self) -> BigInt {
        match self {
            Int::Big(b) => b.clone(),
            Int::Small(s) => {
                let digits: Vec<u32> = s
                    .magnitude()
                    .iter()
                    .flat_map(|&limb| [limb as u32, (limb >> 32) as u32])
                    .collect();
                let sign = if s.negative { Sign::Minus } else { Sign::Plus };
                BigInt::from_biguint(sign, BigUint::new(digits))
            }
        }
    }
}

impl From<BigInt> for Int {
    fn from(value: BigInt) -> Self {
        let (sign, digits) = value.to_u64_digits();
        if digits.len() > LIMBS {
            return Int::Big(value);
        }
        let mut limbs = [0; LIMBS];
        limbs[..digits.len()].copy_from_slice(&digits);
        Int::Small(Small::new(sign == Sign::Minus, limbs, digits.len()))
    }
}

impl From<&BigInt> for Int {
    fn from(value: &BigInt) -> Self {
        Int::from(value.clone())
    }
}

impl From<u64> for Int {
    fn from(value: u64) -> Self {
        let mut limbs = [0; LIMBS];
        limbs[0] = value;
        Int::Small(Small::new(false, limbs, 1))
    }
}

impl From<i128> for Int {
    fn from(value: i128) -> Self {
        let magnitude = value.unsigned_abs();
        let mut limbs = [0; LIMBS];
        limbs[0] = magnitude as u64;
        limbs[1] = (magnitude >> 64) as u64;
        Int::Small(Small::new(value < 0, limbs, 2))
    }
}

impl From<i64> for Int {
    fn from(value: i64) -> Self {
        Int::from(i128::from(value))
    }
}

impl PartialEq for Int {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Int {}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Int::Small(a), Int::Small(b)) => small_cmp(a, b),
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

impl Neg for &Int {
    type Output = Int;

    fn neg(self) -> Int {
        match self {
            Int::Small(s) => Int::Small(s.negated()),
            Int::Big(b) => Int::Big(-b),
        }
    }
}

impl Neg for Int {
    type Output = Int;

    fn neg(self) -> Int {
        -&self
    }
}

impl Add<&Int> for &Int {
    type Output = Int;

    fn add(self, other: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, other)
            && let Some(sum) = small_add(a, b)
        {
            return Int::Small(sum);
        }
        Int::from(self.to_big() + other.to_big())
    }
}

impl Sub<&Int> for &Int {
    type Output = Int;

    fn sub(self, other: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, other)
            && let Some(difference) = small_add(a, &b.negated())
        {
            return Int::Small(difference);
        }
        Int::from(self.to_big() - other.to_big())
    }
}

impl Mul<&Int> for &Int {
    type Output = Int;

    fn mul(self, other: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, other)
            && let Some(product) = small_mul(a, b)
        {
            return Int::Small(product);
        }
        Int::from(self.to_big() * other.to_big())
    }
}

/// The owned forms of a binary operation, through the borrowed one.
macro_rules! owned {
    ($($trait:ident $method:ident $assign:ident $assign_method:ident),*) => {$(
        impl $trait<Int> for Int {
            type Output = Int;
            fn $method(self, other: Int) -> Int {
                $trait::$method(&self, &other)
            }
        }
        impl $trait<&Int> for Int {
            type Output = Int;
            fn $method(self, other: &Int) -> Int {
                $trait::$method(&self, other)
            }
        }
        impl $trait<Int> for &Int {
            type Output = Int;
            fn $method(self, other: Int) -> Int {
                $trait::$method(self, &other)
            }
        }
        impl $assign<&Int> for Int {
            fn $assign_method(&mut self, other: &Int) {
                *self = $trait::$method(&*self, other);
            }
        }
    )*};
}

owned!(
    Add add AddAssign add_assign,
    Sub sub SubAssign sub_assign,
    Mul mul MulAssign mul_assign
);

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Signed;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn random(rng: &mut StdRng) -> BigInt {
        // Up to 12 limbs, so that sums and products cross the inline limit.
        let limbs = rng.random_range(0..12);
        let mut value = BigInt::from(0);
        for _ in 0..limbs {
            value = (value << 64) + BigInt::from(rng.random::<u64>());
        }
        // Edge limbs: all ones and zeros, where carries and borrows run.
        match rng.random_range(0..4) {
            0 => value = (BigInt::from(1) << (64 * limbs)) - 1,
            1 => value = BigInt::from(1) << (64 * limbs),
            _ => {}
        }
        if rng.random_bool(0.5) { -value } else { value }
    }

    #[test]
    fn arithmetic_matches_big_integers() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let (a, b) = (random(&mut rng), random(&mut rng));
            let (x, y) = (Int::from(a.clone()), Int::from(b.clone()));
            assert_eq!((&x + &y).to_big(), &a + &b, "{a} + {b}");
            assert_eq!((&x - &y).to_big(), &a - &b, "{a} - {b}");
            assert_eq!((&x * &y).to_big(), &a * &b, "{a} * {b}");
            assert_eq!(x.cmp(&y), a.cmp(&b), "{a} cmp {b}");
            assert_eq!((-&x).to_big(), -&a);
            assert_eq!(x.abs().to_big(), a.abs());
            assert_eq!(x.signum(), a.cmp(&BigInt::from(0)));
            assert_eq!(x.gcd(&y).to_big(), a.gcd(&b));
            if b != BigInt::from(0) {
                assert_eq!(x.div_ceil(&y).to_big(), Integer::div_ceil(&a, &b));
                let product = Int::from(&a * &b);
                assert_eq!(product.div_exact(&y).to_big(), a, "{a} * {b} / {b}");
            }
            // Every value has one form: inline whenever it fits.
            let inline = matches!(Int::from(&a * &b), Int::Small(_));
            assert_eq!(inline, (&a * &b).bits() <= 64 * LIMBS as u64);
        }
        assert!(Int::from(1_i64).is_one() && !Int::from(-1_i64).is_one());
        // Ratio keys order ratios that differ by more than one part in 2⁶².
        for _ in 0..20_000 {
            let (a, b, c, d) = (
                random(&mut rng).abs() + 1,
                random(&mut rng).abs() + 1,
                random(&mut rng).abs() + 1,
                random(&mut rng).abs() + 1,
            );
            let key = |x: &BigInt, y: &BigInt| Int::ratio_key(&Int::from(x), &Int::from(y));
            let (left, right): (BigInt, BigInt) = (&a * &d, &c * &b);
            let margin = (&left - &right).abs() << 62;
            if margin > left.clone().max(right.clone()) {
                assert_eq!(
                    key(&a, &b).cmp(&key(&c, &d)),
                    left.cmp(&right),
                    "{a}/{b} vs {c}/{d}"
                );
            }
        }
        assert!(Int::zero().is_zero() && (-Int::zero()).signum() == Ordering::Equal);
    }
}
