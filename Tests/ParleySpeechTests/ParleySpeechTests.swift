import Testing
@testable import ParleySpeech
