module faultlab.invalid/porcupine-bench

go 1.16

require github.com/anishathalye/porcupine v0.0.0-00010101000000-000000000000

// porcupine_side_by_side.sh points this at a local copy of Porcupine's source:
// the bench never downloads anything (GOPROXY=off).
replace github.com/anishathalye/porcupine => ./porcupine-src
