/// Process-level allocator tuning for tensor workloads, for executables to opt into.
///
/// glibc returns large freed blocks to the kernel (blocks over the mmap threshold are unmapped,
/// and the heap top is trimmed past the trim threshold). Eager autodiff frees and reallocates
/// tensors of 40–160 KB on every op, so every new tensor then pays a page fault per 4 KB page:
/// ~40% of a MAML sinusoid meta-iteration (docs/performance/tensor.md). Raising both thresholds
/// keeps freed buffers in the heap for reuse. This changes process-wide state, so the library
/// never calls it itself: `hmaml` and `hmbench` call it once at start-up.
public enum HeapTuning {
  /// Keeps freed memory in the process heap (glibc: mmap threshold 64 MiB, trim threshold
  /// 512 MiB). No effect on other platforms. Idempotent.
  public static func keepFreedMemoryForReuse() {
    #if os(Linux)
    _ = glibcMallopt(-3, 64 << 20)   // M_MMAP_THRESHOLD
    _ = glibcMallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD
    // One arena, padded: tensors allocated on hmaml's evaluation thread otherwise grow and trim
    // that thread's arena with an mprotect per step (121k calls in scripts/maml_sinusoid.hm).
    _ = glibcMallopt(-8, 1)          // M_ARENA_MAX
    _ = glibcMallopt(-2, 64 << 20)   // M_TOP_PAD
    #endif
  }
}

#if os(Linux)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt") func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
