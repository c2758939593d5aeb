#ifndef C_SCALAR_REFERENCE_H
#define C_SCALAR_REFERENCE_H
#include <stddef.h>
#include <stdint.h>

/// Plain C scalar Needleman-Wunsch score (linear gaps, one row of ints): the reference speed
/// the Swift kernels are compared with. `row` needs n + 1 ints.
int c_scalar_nw_score(const uint8_t *a, size_t m, const uint8_t *b, size_t n,
                      int match, int mismatch, int gap, int *row);

#endif
