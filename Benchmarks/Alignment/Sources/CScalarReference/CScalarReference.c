#include "CScalarReference.h"

int c_scalar_nw_score(const uint8_t *a, size_t m, const uint8_t *b, size_t n,
                      int match, int mismatch, int gap, int *row) {
    row[0] = 0;
    for (size_t j = 1; j <= n; j++) row[j] = row[j - 1] + gap;
    for (size_t i = 0; i < m; i++) {
        int diag = row[0];
        row[0] = diag + gap;
        int left = row[0];
        const uint8_t x = a[i];
        for (size_t j = 0; j < n; j++) {
            int up = row[j + 1];
            int h = diag + (x == b[j] ? match : mismatch);
            int g = (up > left ? up : left) + gap;
            h = h > g ? h : g;
            row[j + 1] = h;
            diag = up;
            left = h;
        }
    }
    return row[n];
}
