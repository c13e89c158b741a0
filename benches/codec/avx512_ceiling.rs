//! An experiment, not part of rip-codec: how fast can a 25-entry RIPv2
//! response be validated with AVX-512? It bounds what any decoder on this
//! machine can reach, for the issue-2 floor (see BENCHMARKS.md).
//!
//! Safe Rust: pulp's `V4` token proves at run time that AVX-512F/BW are
//! present and exposes the intrinsics as safe functions.
//!
//! The 125 words after the header are byte-swapped and checked all at once,
//! 16 per register. An entry is 5 words, so word `d` of the body is field
//! `d % 5` (AFI+tag, address, mask, next hop, metric) and every rule is a
//! constant per lane: it applies where its field is and is zero elsewhere.
//! The rules are rip-codec's (RFC 2453 §3.9.2, §4.3; RFC 1122 §3.2.1.3).

use std::arch::x86_64::__m512i;

use pulp::x86::V4;

pub const BODY_LEN: usize = 500;
const REGISTERS: usize = 8;
const WORDS: usize = BODY_LEN / 4;
const PADDING: u32 = 5;

type LaneConstants = [[u32; 16]; REGISTERS];

/// The field of each lane: 0 AFI+tag, 1 address, 2 mask, 3 next hop,
/// 4 metric, PADDING past the last word.
const fn field_of_lane() -> LaneConstants {
    let mut table = [[PADDING; 16]; REGISTERS];
    let mut word = 0;
    while word < WORDS {
        table[word / 16][word % 16] = (word % 5) as u32;
        word += 1;
    }
    table
}

/// A constant per lane from its field's value (`per_field[5]` for padding).
const fn per_lane(per_field: [u32; 6]) -> LaneConstants {
    let fields = field_of_lane();
    let mut table = [[0; 16]; REGISTERS];
    let mut r = 0;
    while r < REGISTERS {
        let mut lane = 0;
        while lane < 16 {
            table[r][lane] = per_field[fields[r][lane] as usize];
            lane += 1;
        }
        r += 1;
    }
    table
}

const ALL: u32 = u32::MAX;
// AFI (high half of word 0) must be 2.
const AFI_CARE: LaneConstants = per_lane([0xFFFF_0000, 0, 0, 0, 0, 0]);
const AFI_EXPECT: LaneConstants = per_lane([0x0002_0000, 0, 0, 0, 0, 0]);
// One formula for two rules: with w = word ^ FLIP, (w + ADD) & ((w & KEEP) | SET)
// is ~mask & -mask (holes in the mask) on mask lanes and (metric - 1) & !0xF
// (metric outside 1..=16) on metric lanes.
const FLIP: LaneConstants = per_lane([0, 0, ALL, 0, 0, 0]);
const ADD: LaneConstants = per_lane([0, 0, 1, 0, ALL, 0]);
const KEEP: LaneConstants = per_lane([0, 0, ALL, 0, 0, 0]);
const SET: LaneConstants = per_lane([0, 0, 0, 0, 0xFFFF_FFF0, 0]);
// Address bits outside the mask, on mask lanes (the address is the lane before).
const HOST_BITS: LaneConstants = per_lane([0, 0, ALL, 0, 0, 0]);
// On address lanes, 0/8 is only valid as the default route, which needs the
// mask (the lane after) to be zero too; a next hop in 0/8 must be 0.0.0.0.
const WITH_NEXT: LaneConstants = per_lane([0, ALL, 0, 0, 0, 0]);

/// Lanes holding an address or a next hop: 127/8 and 224/3 are never valid.
const fn address_lanes() -> [u16; REGISTERS] {
    let fields = field_of_lane();
    let mut bits = [0u16; REGISTERS];
    let mut r = 0;
    while r < REGISTERS {
        let mut lane = 0;
        while lane < 16 {
            if fields[r][lane] == 1 || fields[r][lane] == 3 {
                bits[r] |= 1 << lane;
            }
            lane += 1;
        }
        r += 1;
    }
    bits
}
const ADDRESS_LANES: [u16; REGISTERS] = address_lanes();

/// Every entry of the 25-entry body valid? `None` without AVX-512.
#[inline]
pub fn validate_25(body: &[u8; BODY_LEN]) -> Option<bool> {
    let simd = V4::try_new()?;
    Some(simd.vectorize(
        #[inline(always)]
        || all_valid(simd, body),
    ))
}

#[inline(always)]
fn register(bytes: &[u8]) -> __m512i {
    let mut out = [0u8; 64];
    let n = bytes.len().min(64);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    pulp::cast(out)
}

#[inline(always)]
fn lane_constant(table: &LaneConstants, r: usize) -> __m512i {
    pulp::cast(table.get(r).copied().unwrap_or_default())
}

#[inline(always)]
fn all_valid(simd: V4, body: &[u8; BODY_LEN]) -> bool {
    let f = simd.avx512f;
    let byte_swap: __m512i =
        pulp::cast([[3u8, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12]; 4]);
    // Registers 1..=8 hold the body; 0 and 9 are zero, for the neighbours.
    let mut words = [f._mm512_setzero_si512(); REGISTERS + 2];
    for (r, slot) in words.iter_mut().skip(1).take(REGISTERS).enumerate() {
        *slot = simd
            .avx512bw
            ._mm512_shuffle_epi8(register(body.get(64 * r..).unwrap_or_default()), byte_swap);
    }
    let class_d = f._mm512_set1_epi32(0xE000_0000_u32 as i32);
    let loopback = f._mm512_set1_epi32(0x7F00_0000);
    let one_octet = f._mm512_set1_epi32(0x0100_0000);
    let mut bad = f._mm512_setzero_si512();
    let mut bad_address = 0u16;
    for (r, window) in words.windows(3).enumerate() {
        let [before, word, after] = [window[0], window[1], window[2]];
        let previous = f._mm512_alignr_epi32::<15>(word, before);
        let next = f._mm512_alignr_epi32::<1>(after, word);
        // ternlog 0xF8: a | (b & c); 0x20: a & !b & c.
        let afi = f._mm512_xor_si512(word, lane_constant(&AFI_EXPECT, r));
        bad = f._mm512_ternarylogic_epi32::<0xF8>(bad, afi, lane_constant(&AFI_CARE, r));
        let w = f._mm512_xor_si512(word, lane_constant(&FLIP, r));
        let sum = f._mm512_add_epi32(w, lane_constant(&ADD, r));
        let keep = f._mm512_or_si512(
            f._mm512_and_si512(w, lane_constant(&KEEP, r)),
            lane_constant(&SET, r),
        );
        bad = f._mm512_ternarylogic_epi32::<0xF8>(bad, sum, keep);
        let host =
            f._mm512_ternarylogic_epi32::<0x20>(previous, word, lane_constant(&HOST_BITS, r));
        bad = f._mm512_or_si512(bad, host);
        let lanes = ADDRESS_LANES.get(r).copied().unwrap_or_default();
        let reserved = f._mm512_mask_cmpge_epu32_mask(lanes, word, class_d);
        let in_loopback =
            f._mm512_mask_cmplt_epu32_mask(lanes, f._mm512_sub_epi32(word, loopback), one_octet);
        let zero_net =
            f._mm512_or_si512(word, f._mm512_and_si512(next, lane_constant(&WITH_NEXT, r)));
        let in_zero_net = f._mm512_mask_cmplt_epu32_mask(lanes, word, one_octet)
            & f._mm512_test_epi32_mask(zero_net, zero_net);
        bad_address |= reserved | in_loopback | in_zero_net;
    }
    bad_address == 0 && f._mm512_test_epi32_mask(bad, bad) == 0
}
