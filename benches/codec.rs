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
                sum = sum
                    .wrapping_add(r.prefix.addr_bits())
                    .wrapping_add(u32::from(r.prefix.prefix_len()))
                    .wrapping_add(u32::from(r.next_hop))
                    .wrapping_add(u32::from(r.metric))
                    .wrapping_add(u32::from(r.tag));
            }
            Err(_) => sum = sum.wrapping_add(1),
        }
    }
    sum
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

criterion_group!(benches, bench_decode, bench_emit);
criterion_main!(benches);
