//! rip-codec against the `rip-rs` crate on the same messages.
//!
//! cargo bench --bench codec

// Test and benchmark code: a failed expectation is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{Criterion, criterion_group, criterion_main};
use rip_codec::{
    AuthMode, Command, Ipv4Prefix, Key, MessageWriter, Packet, RouteEntry, Signer, VERSION_2,
};

#[cfg(target_arch = "x86_64")]
#[path = "codec/avx512_ceiling.rs"]
mod avx512_ceiling;

const SECRET: &[u8] = b"change-me";

fn routes(count: usize) -> Vec<RouteEntry> {
    (0..count)
        .map(|i| RouteEntry {
            prefix: Ipv4Prefix::new(Ipv4Addr::new(10, (i / 256) as u8, (i % 256) as u8, 0), 24)
                .expect("valid prefix"),
            next_hop: Ipv4Addr::UNSPECIFIED,
            metric: 1 + (i % 15) as u8,
            tag: i as u16,
        })
        .collect()
}

fn message(mode: AuthMode, count: usize) -> Vec<u8> {
    let mut buf = [0u8; 512];
    let signer = Signer::new(
        mode,
        Key {
            id: 1,
            secret: SECRET,
        },
        42,
    );
    let mut writer =
        MessageWriter::new(&mut buf, Command::Response, VERSION_2, Some(signer)).expect("room");
    for route in &routes(count) {
        writer.push_route(route).expect("fits");
    }
    writer.finish().to_vec()
}

/// Decode, validate every entry and use every field, as a receiver does.
fn decode_validate(bytes: &[u8], mode: AuthMode, keys: &[Key<'_>]) -> u32 {
    let Ok(packet) = Packet::parse(bytes) else {
        return 0;
    };
    let Ok(verified) = packet.authenticate(mode, keys) else {
        return 0;
    };
    let mut sum = 0u32;
    for route in verified.routes() {
        match route {
            Ok(r) => {
                sum = use_fields(
                    sum,
                    [
                        r.prefix.addr_bits(),
                        u32::from(r.prefix.prefix_len()),
                        u32::from(r.next_hop),
                        u32::from(r.metric),
                        u32::from(r.tag),
                    ],
                )
            }
            Err(_) => sum = sum.wrapping_add(1),
        }
    }
    sum
}

/// What every decoder here does with an entry's fields: adds them up.
#[inline(always)]
fn use_fields(sum: u32, fields: [u32; 5]) -> u32 {
    fields.iter().fold(sum, |acc, f| acc.wrapping_add(*f))
}

/// The body of a plain message, checked by the AVX-512 experiment.
#[cfg(target_arch = "x86_64")]
fn ceiling_validate(bytes: &[u8]) -> Option<bool> {
    let body = bytes.get(4..)?.try_into().ok()?;
    avx512_ceiling::validate_25(body)
}

#[cfg(not(target_arch = "x86_64"))]
fn ceiling_validate(_: &[u8]) -> Option<bool> {
    None
}

/// The experiment must agree with rip-codec on every rule before its time
/// means anything: every octet of a valid message set to telling values,
/// then random multi-octet damage.
fn check_ceiling_agrees(valid: &[u8]) {
    let codec_accepts = |bytes: &[u8]| {
        Packet::parse(bytes)
            .ok()
            .and_then(|p| p.unauthenticated().ok())
            .is_some_and(|v| v.routes().all(|r| r.is_ok()))
    };
    let mut checked = 0usize;
    let mut rejected = 0usize;
    let mut compare = |bytes: &[u8]| {
        let codec = codec_accepts(bytes);
        assert_eq!(
            ceiling_validate(bytes),
            Some(codec),
            "AVX-512 experiment disagrees with rip-codec on {}",
            hex::encode(bytes)
        );
        checked += 1;
        rejected += usize::from(!codec);
    };
    for at in 4..valid.len() {
        for value in [0u8, 1, 2, 15, 16, 17, 0x7F, 0x80, 0xDF, 0xE0, 0xFF] {
            let mut bytes = valid.to_vec();
            bytes[at] = value;
            compare(&bytes);
        }
    }
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..50_000 {
        let mut bytes = valid.to_vec();
        for _ in 0..3 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = 4 + (state >> 33) as usize % (bytes.len() - 4);
            bytes[at] = (state >> 13) as u8;
        }
        compare(&bytes);
    }
    eprintln!(
        "AVX-512 experiment agrees with rip-codec on {checked} messages ({rejected} rejected)"
    );
}

fn bench_decode(c: &mut Criterion) {
    let keys = [Key {
        id: 1,
        secret: SECRET,
    }];
    let plain = message(AuthMode::None, 25);
    let md5 = message(AuthMode::KeyedMd5, 23);
    let sha256 = message(AuthMode::HmacSha256, 22);

    let mut group = c.benchmark_group("decode_25_entries");
    group.bench_function("rip-codec", |b| {
        b.iter(|| decode_validate(black_box(&plain), AuthMode::None, &keys))
    });
    group.bench_function("rip-rs", |b| {
        b.iter(|| {
            let parsed = rip_rs::parser::parse_v2(black_box(&plain));
            match parsed {
                Ok(p) => p.get_entries().iter().fold(0u32, |acc, e| {
                    acc.wrapping_add(u32::from(e.get_ip_address()))
                        .wrapping_add(u32::from(e.get_subnet_mask()))
                        .wrapping_add(u32::from(e.get_next_hop()))
                        .wrapping_add(e.get_metric())
                        .wrapping_add(u32::from(e.get_route_tag()))
                }),
                Err(_) => 0,
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("decode_authenticated");
    group.bench_function("keyed_md5_23_entries", |b| {
        b.iter(|| decode_validate(black_box(&md5), AuthMode::KeyedMd5, &keys))
    });
    group.bench_function("hmac_sha256_22_entries", |b| {
        b.iter(|| decode_validate(black_box(&sha256), AuthMode::HmacSha256, &keys))
    });
    group.finish();
}

/// How far SIMD could take a decoder: see benches/codec/avx512_ceiling.rs.
fn bench_ceiling(c: &mut Criterion) {
    let plain = message(AuthMode::None, 25);
    if ceiling_validate(&plain).is_none() {
        eprintln!("no AVX-512 on this machine: the ceiling experiment does not run");
        return;
    }
    check_ceiling_agrees(&plain);
    let mut group = c.benchmark_group("decode_25_entries_ceiling");
    group.bench_function("rip-codec validate only", |b| {
        b.iter(|| {
            Packet::parse(black_box(&plain))
                .ok()
                .and_then(|p| p.unauthenticated().ok())
                .is_some_and(|v| v.routes().all(|r| r.is_ok()))
        })
    });
    group.bench_function("avx512 validate only", |b| {
        b.iter(|| {
            Packet::parse(black_box(&plain)).is_ok_and(|p| {
                p.unauthenticated().is_ok() && ceiling_validate(black_box(&plain)) == Some(true)
            })
        })
    });
    group.bench_function("avx512 validate + read every field", |b| {
        b.iter(|| {
            let bytes = black_box(&plain);
            let Ok(packet) = Packet::parse(bytes) else {
                return 0;
            };
            let Ok(verified) = packet.unauthenticated() else {
                return 0;
            };
            if ceiling_validate(bytes) != Some(true) {
                return 1;
            }
            verified.raw_entries().fold(0u32, |sum, e| {
                use_fields(
                    sum,
                    [
                        e.addr(),
                        e.mask().leading_ones(),
                        e.next_hop(),
                        e.metric(),
                        u32::from(e.tag()),
                    ],
                )
            })
        })
    });
    group.finish();
}

fn bench_emit(c: &mut Criterion) {
    let routes = routes(25);
    let mut group = c.benchmark_group("emit_25_entries");
    group.bench_function("rip-codec", |b| {
        let mut buf = [0u8; 512];
        b.iter(|| {
            let mut writer =
                MessageWriter::new(&mut buf, Command::Response, VERSION_2, None).expect("room");
            for route in black_box(&routes) {
                let _ = writer.push_route(route);
            }
            writer.finish().len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_decode, bench_ceiling, bench_emit);
criterion_main!(benches);
