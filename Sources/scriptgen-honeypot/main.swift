// The lean serving binary: `serve` and `respond` only, without the learning code.
// Placeholder entry until the serving commands land.
print("scriptgen-honeypot: serving commands not built yet")
