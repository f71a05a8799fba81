import Foundation

/// A failure the domain can name; surfaces translate each case into their own error dialect.
public enum DomainError: Error, Sendable, Equatable {
    /// A field of the input is missing or invalid; `field` names it for the client.
    case validation(field: String, message: String)
    /// The thing asked for does not exist (or is not visible to the caller).
    case notFound(entity: String)
    /// The request conflicts with existing state, such as a duplicate email.
    case conflict(String)
    /// The caller is known but not allowed to do this.
    case forbidden(String)
    /// The credentials are wrong; deliberately vague so accounts cannot be enumerated.
    case invalidCredentials
    /// The account exists but has been deactivated by an admin.
    case accountDisabled
    /// An engine or provider that the request needs cannot run right now.
    case serviceUnavailable(service: String, reason: String)
}
