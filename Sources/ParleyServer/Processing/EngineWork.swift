import Dispatch

/// Long, blocking engine work (decoding through ffmpeg, whole-recording analysis) runs on
/// Dispatch's global queue: NIO's thread pool also runs every SQLite query and bcrypt hash, and a
/// decode holding one of its two threads made database calls time out under load.
enum EngineWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
