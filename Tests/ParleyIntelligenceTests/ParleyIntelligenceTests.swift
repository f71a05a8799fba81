import Testing
@testable import ParleyIntelligence
