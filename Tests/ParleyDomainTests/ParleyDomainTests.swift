import Testing
@testable import ParleyDomain
