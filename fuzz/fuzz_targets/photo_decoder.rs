//! Any bytes offered as a photo: decoded, checked, re-encoded without metadata, and read for
//! a GPS position, as the server does with every upload. A broken image must be an error,
//! never a panic or an allocation the size of a wrong header.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sahulat_domain::photo::process(data);
    let _ = sahulat_domain::photo::gps_position(data);
});
