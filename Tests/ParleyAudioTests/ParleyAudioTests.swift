import Testing
@testable import ParleyAudio
