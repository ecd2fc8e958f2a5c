// Remembering which (linearized set, register value) configurations the
// linearizability search has explored. Internal to check/ (lin_search.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "check/lin_search.hpp"

namespace faultlab::check::lin {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A 128-bit fingerprint of a (linearized set, value) pair. The set's part is
// the XOR of a random pair per linearized op (Zobrist hashing), so lifting and
// unlifting an op update it in O(1). Two different pairs share a fingerprint
// with probability 2^-128 each: even a full 5-million-entry table has a chance
// of one false "already visited" below 1e-25.
struct Fingerprint {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  bool operator==(const Fingerprint& other) const { return a == other.a && b == other.b; }
};

inline Fingerprint with_value(Fingerprint set, const Value& value) {
  const std::uint64_t code = value ? static_cast<std::uint64_t>(*value) : 0x6A09E667F3BCC908ULL;
  const std::uint64_t tag = value ? 1 : 2;
  set.a ^= splitmix64(code ^ (tag * 0x3C6EF372FE94F82BULL));
  set.b ^= splitmix64(splitmix64(code + tag) ^ 0xA54FF53A5F1D36F1ULL);
  return set;
}

// Open addressing with linear probing; (0, 0) marks an empty slot.
class VisitedSet {
public:
  VisitedSet() : slots_(1024) {}
  std::size_t size() const { return size_; }

  // True if it was not there yet.
  bool insert(Fingerprint fp) {
    if (fp.a == 0 && fp.b == 0) fp.b = 1;
    if ((size_ + 1) * 4 > slots_.size() * 3) grow(); // at most 3/4 full
    if (!place(slots_, fp)) return false;
    ++size_;
    return true;
  }

private:
  static bool place(std::vector<Fingerprint>& slots, const Fingerprint& fp) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = fp.a & mask;; i = (i + 1) & mask) {
      if (slots[i] == fp) return false;
      if (slots[i].a == 0 && slots[i].b == 0) {
        slots[i] = fp;
        return true;
      }
    }
  }
  void grow() {
    std::vector<Fingerprint> bigger(slots_.size() * 2);
    for (const Fingerprint& fp : slots_) {
      if (fp.a != 0 || fp.b != 0) place(bigger, fp);
    }
    slots_.swap(bigger);
  }

  std::vector<Fingerprint> slots_;
  std::size_t size_ = 0;
};

} // namespace faultlab::check::lin
