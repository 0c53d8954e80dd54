// What zkrtl's Verilator harnesses share: moving values of any width in and out of Verilated
// ports, a seeded PRNG, and hex text. Included by sim/*_harness.cpp after verilated.h;
// buildPipelineSim copies the headers of sim/ next to the harness (and hashes them).
#ifndef ZKRTL_HARNESS_SUPPORT_H
#define ZKRTL_HARNESS_SUPPORT_H

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "verilated.h"

namespace zkrtl {

// ---------------------------------------------------------------------------------------
// Port access. Verilator gives a W-bit port the type CData (W <= 8), SData (<= 16),
// IData (<= 32), QData (<= 64) or VlWide<ceil(W/32)>. Values live in the harnesses as
// little-endian arrays of 32-bit words, `PortInfo<T>::words` of them; the overloads below
// move them in and out of whatever type the port has, so one source compiles for every width.

template <class T>
struct PortInfo;
template <>
struct PortInfo<CData> {
    static constexpr unsigned words = 1, minBits = 1, maxBits = 8;
};
template <>
struct PortInfo<SData> {
    static constexpr unsigned words = 1, minBits = 9, maxBits = 16;
};
template <>
struct PortInfo<IData> {
    static constexpr unsigned words = 1, minBits = 17, maxBits = 32;
};
template <>
struct PortInfo<QData> {
    static constexpr unsigned words = 2, minBits = 33, maxBits = 64;
};
template <std::size_t N>
struct PortInfo<VlWide<N>> {
    static constexpr unsigned words = N, minBits = 32 * (N - 1) + 1, maxBits = 32 * N;
};

inline void setPort(CData& p, const uint32_t* w) { p = static_cast<CData>(w[0]); }
inline void setPort(SData& p, const uint32_t* w) { p = static_cast<SData>(w[0]); }
inline void setPort(IData& p, const uint32_t* w) { p = w[0]; }
inline void setPort(QData& p, const uint32_t* w) {
    p = static_cast<QData>(w[0]) | (static_cast<QData>(w[1]) << 32);
}
template <std::size_t N>
inline void setPort(VlWide<N>& p, const uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) p[i] = w[i];
}

inline void getPort(const CData& p, uint32_t* w) { w[0] = p; }
inline void getPort(const SData& p, uint32_t* w) { w[0] = p; }
inline void getPort(const IData& p, uint32_t* w) { w[0] = p; }
inline void getPort(const QData& p, uint32_t* w) {
    w[0] = static_cast<uint32_t>(p);
    w[1] = static_cast<uint32_t>(p >> 32);
}
template <std::size_t N>
inline void getPort(const VlWide<N>& p, uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) w[i] = p[i];
}

/** The C++ type of a model member, e.g. PortT<decltype(top.a)>. */
template <class M>
using PortT = std::remove_cv_t<std::remove_reference_t<M>>;

// ---------------------------------------------------------------------------------------
// Deterministic PRNG (SplitMix64): the same seed gives the same bubbles, stalls and garbage.

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

// ---------------------------------------------------------------------------------------
// Hex text of values of `width` bits held in `words` little-endian 32-bit words.

/** Parses hex digits (optional 0x, `_` ignored); false when not hex or wider than `width`. */
inline bool parseHex(const char* s, std::size_t len, unsigned width, uint32_t* w, unsigned words) {
    std::memset(w, 0, words * sizeof(uint32_t));
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    if (len == 0) return false;
    unsigned bit = 0;
    for (std::size_t i = len; i-- > 0;) {
        const char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else if (c == '_') continue;
        else return false;
        if (d != 0) {
            // The highest set bit of this digit must be below `width`.
            const unsigned top = bit + (d >= 8 ? 3 : d >= 4 ? 2 : d >= 2 ? 1 : 0);
            if (top >= width) return false;
            w[bit / 32] |= d << (bit % 32);
        }
        bit += 4;
    }
    return true;
}

/** Lowercase hex without leading zeros ("0" for zero). */
inline std::string toHex(const uint32_t* w, unsigned words) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (unsigned i = words; i-- > 0;) {
        for (int sh = 28; sh >= 0; sh -= 4) {
            const unsigned d = (w[i] >> sh) & 0xf;
            if (d == 0 && s.empty()) continue;
            s.push_back(digits[d]);
        }
    }
    return s.empty() ? "0" : s;
}

}  // namespace zkrtl

#endif
