import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import ParleyCore
import ParleyDomain

/// Twilio as the voice agents' carrier. A call is created through the REST Calls resource with
/// this server's TwiML webhook as its `Url` and signed status callbacks; once the callee answers
/// (answering-machine detection decides whether a person did), the TwiML connects a bidirectional
/// Media Stream to this server, where the agent's live pipeline runs (`TwilioMediaStream`). This
/// value waits for the call to end, as Twilio's callbacks and the stream tell it.
///
/// Twilio's webhooks reach the instance whose `PARLEY_PUBLIC_URL` the call was created with, so
/// with several instances each is given its own public address.
struct TwilioTelephony: Telephony {
    let name = "twilio"
    let settings: TwilioSettings
    let board: TwilioCallBoard
    let rest: TwilioREST
    /// This server's public address (http or https), as Twilio reaches it (known once the server
    /// is bound when it listens on a port chosen at start).
    let address: @Sendable () -> String

    var publicURL: String { address() }

    func place(_ call: OutboundCall, speech: LiveSpeech, wording: (any LanguageModel)?,
               heard: @escaping @Sendable (SpeakerRole, String) async throws -> Void) async throws -> CallResult {
        let key = UUID().uuidString.lowercased()
        let events = await board.open(key, call: call)
        var placed: String?
        let watchdog = Task { [board] in
            // Nothing heard from Twilio for the ring time plus the longest call: the call is given up.
            try? await Task.sleep(for: .seconds(Double(settings.ringTimeout) + call.maxDuration + 60))
            await board.post(.status("timeout", answeredBy: nil), to: key)
        }
        defer { watchdog.cancel() }
        do {
            let sid = try await rest.createCall(
                to: call.phoneNumber, from: settings.fromNumber, answerURL: "\(publicURL)/twilio/voice/\(key)",
                statusCallback: "\(publicURL)/twilio/status/\(key)", detectMachines: call.voicemail == .leaveMessage ? "DetectMessageEnd" : "Enable",
                timeout: settings.ringTimeout, sendDigits: call.agent.callControl.sendDigits)
            placed = sid
            await board.placed(key, sid: sid)
            let result = try await outcome(of: events, sid: sid)
            await board.close(key)
            return result
        } catch {
            await board.close(key)
            // A server stopping mid-call hangs up rather than leave the callee talking to nobody.
            if let placed { try? await rest.hangUp(placed) }
            throw error
        }
    }

    /// Follows one call's events to its end.
    private func outcome(of events: AsyncStream<TwilioCallEvent>, sid: String) async throws -> CallResult {
        var streamed = false
        for await event in events {
            try Task.checkCancellation()
            switch event {
            case .streamStarted:
                streamed = true
            case .machineHungUp:
                return CallResult(status: .voicemail, endReason: "voicemail_hung_up")
            case .ended(let result):
                return result
            case .status(let status, _):
                switch status {
                case "busy": return CallResult(status: .busy, endReason: "busy")
                case "no-answer": return CallResult(status: .noAnswer, endReason: "no_answer")
                case "failed", "canceled": return CallResult(status: .failed, endReason: "failed: Twilio reported the call \(status)")
                case "completed" where !streamed:
                    return CallResult(status: .failed, endReason: "failed: the call ended before its media stream connected")
                case "timeout":
                    try? await rest.hangUp(sid)
                    return CallResult(status: .failed, endReason: "failed: no word from Twilio in time")
                default:
                    // queued, initiated, ringing, in-progress; and completed after a stream, whose end the stream tells.
                    continue
                }
            }
        }
        throw CancellationError()
    }
}

/// What a call placed through Twilio tells the call waiting for it.
enum TwilioCallEvent: Sendable {
    /// A status callback (`CallStatus`, and `AnsweredBy` when machine detection ran).
    case status(String, answeredBy: String?)
    /// The media stream connected: the callee is on the line.
    case streamStarted
    /// A machine answered and the campaign hangs up on machines.
    case machineHungUp
    /// The media stream ended the call (the callee hung up, the agent finished, the time ran out).
    case ended(CallResult)
}

/// The calls this instance has placed through Twilio and is waiting on, by the key in their
/// webhook URLs: where callbacks and media streams find the call they belong to.
actor TwilioCallBoard {
    struct Slot {
        var call: OutboundCall
        var sid: String?
        var events: AsyncStream<TwilioCallEvent>.Continuation
        var streaming = false
    }

    private var slots: [String: Slot] = [:]
    /// What the person a call is transferred to hears first (announced transfers), by call key;
    /// kept after the call's slot closes, since Twilio asks for it while the transfer rings.
    private var announcements: [String: (text: String, until: Date)] = [:]

    func announce(_ text: String, for key: String) {
        let now = Date()
        announcements = announcements.filter { $0.value.until > now }
        announcements[key] = (text, now.addingTimeInterval(600))
    }

    func announcement(_ key: String) -> String? {
        announcements[key].flatMap { $0.until > Date() ? $0.text : nil }
    }

    func open(_ key: String, call: OutboundCall) -> AsyncStream<TwilioCallEvent> {
        let (stream, continuation) = AsyncStream<TwilioCallEvent>.makeStream()
        slots[key] = Slot(call: call, events: continuation)
        return stream
    }

    func placed(_ key: String, sid: String) {
        slots[key]?.sid = sid
    }

    func close(_ key: String) {
        slots.removeValue(forKey: key)?.events.finish()
    }

    func post(_ event: TwilioCallEvent, to key: String) {
        slots[key]?.events.yield(event)
    }

    /// The call waiting under `key`, and its Twilio call SID once created.
    func call(_ key: String) -> (call: OutboundCall, sid: String?)? {
        slots[key].map { ($0.call, $0.sid) }
    }

    /// Claims the call's media stream: only the first connection for a call carries it.
    func claimStream(_ key: String, callSID: String) -> OutboundCall? {
        guard var slot = slots[key], !slot.streaming, slot.sid == nil || slot.sid == callSID else { return nil }
        slot.streaming = true
        slots[key] = slot
        slot.events.yield(.streamStarted)
        return slot.call
    }
}

/// Twilio's REST API, as far as the voice agents use it: create a call, end one.
struct TwilioREST: Sendable {
    let settings: TwilioSettings

    /// Creates an outbound call (`POST /2010-04-01/Accounts/{sid}/Calls.json`); returns its SID.
    func createCall(to: String, from: String, answerURL: String, statusCallback: String, detectMachines: String, timeout: Int,
                    sendDigits: String? = nil) async throws -> String {
        var fields: [(String, String)] = [
            ("To", to), ("From", from), ("Url", answerURL), ("Method", "POST"),
            ("StatusCallback", statusCallback), ("StatusCallbackMethod", "POST"),
            ("StatusCallbackEvent", "initiated"), ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"), ("StatusCallbackEvent", "completed"),
            ("MachineDetection", detectMachines), ("Timeout", String(timeout)),
        ]
        // Played once the call is answered (an extension behind a switchboard).
        if let sendDigits { fields.append(("SendDigits", sendDigits)) }
        let body = try await post("/2010-04-01/Accounts/\(settings.accountSID)/Calls.json", fields: fields)
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let sid = object["sid"] as? String else {
            throw TwilioError.unexpected("Twilio's answer to creating a call has no sid")
        }
        return sid
    }

    /// Ends a call in progress (`Status=completed`).
    func hangUp(_ sid: String) async throws {
        _ = try await post("/2010-04-01/Accounts/\(settings.accountSID)/Calls/\(sid).json", fields: [("Status", "completed")])
    }

    /// Gives a call in progress new TwiML (a transfer's `<Dial>`); its media stream stops.
    func redirect(_ sid: String, twiml: String) async throws {
        _ = try await post("/2010-04-01/Accounts/\(settings.accountSID)/Calls/\(sid).json", fields: [("Twiml", twiml)])
    }

    private func post(_ path: String, fields: [(String, String)]) async throws -> Data {
        var request = HTTPClientRequest(url: settings.apiBase + path)
        request.method = .POST
        let credentials = Data("\(settings.accountSID):\(settings.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: TwilioSignature.formEncoded(fields)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        let body = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(Int(response.status.code)) else {
            let message = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["message"] as? String
            throw TwilioError.refused(status: Int(response.status.code), message: message ?? String(decoding: body.prefix(300), as: UTF8.self))
        }
        return body
    }
}

/// Why Twilio could not do what was asked.
enum TwilioError: Error, CustomStringConvertible {
    case refused(status: Int, message: String)
    case unexpected(String)

    var description: String {
        switch self {
        case .refused(let status, let message): "Twilio answered \(status): \(message)"
        case .unexpected(let message): message
        }
    }
}

/// `X-Twilio-Signature`, as Twilio computes it: HMAC-SHA1 keyed with the auth token over the
/// full URL followed by each POST parameter's name and value, sorted by name; base64.
enum TwilioSignature {
    static func compute(url: String, parameters: [(String, String)], authToken: String) -> String {
        let text = parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.reduce(url) { $0 + $1.0 + $1.1 }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Compares in constant time, so the check does not leak how much of a forgery was right.
    static func isValid(_ signature: String?, url: String, parameters: [(String, String)], authToken: String) -> Bool {
        guard let signature else { return false }
        let expected = Array(compute(url: url, parameters: parameters, authToken: authToken).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `application/x-www-form-urlencoded`, repeated names kept.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}
