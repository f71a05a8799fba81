import Testing
@testable import ParleyStore
