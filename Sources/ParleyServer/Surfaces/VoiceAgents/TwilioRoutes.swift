import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension VoiceAgents {
    /// Twilio's side of a call the voice agents place (only with `PARLEY_TELEPHONY=twilio`):
    /// `POST /twilio/voice/{key}`, the TwiML webhook Twilio asks once the callee answers;
    /// `POST /twilio/status/{key}`, its status callbacks; and `/twilio/media/{key}`, the Media
    /// Streams WebSocket. Webhooks must carry a valid `X-Twilio-Signature` (else 403, nothing
    /// changes); media frames that are malformed or for an unknown call are dropped with a log line.
    enum TwilioRoutes {
        /// Without Twilio configured the webhooks answer 404 and media streams are closed.
        static func register(on root: any RoutesBuilder, telephony: TwilioTelephony?) {
            let twilio = root.grouped("twilio")
            twilio.post("voice", ":key") { request in try await answer(request, telephony: try configured(telephony)) }
            twilio.post("status", ":key") { request in try await status(request, telephony: try configured(telephony)) }
            twilio.post("announce", ":key") { request in try await announce(request, telephony: try configured(telephony)) }
            twilio.grouped(UpgradeOnly()).liveSocket("media", ":key", admitted: { request in
                telephony.flatMap { twilio in request.parameters.get("key").map { (twilio, $0) } }
            }) { socket, inbox, admitted, app, logger in
                await TwilioMediaStream(key: admitted.1, telephony: admitted.0, socket: socket, logger: logger, app: app).serve(inbox)
            }
        }

        static func configured(_ telephony: TwilioTelephony?) throws -> TwilioTelephony {
            guard let telephony else { throw APIError.notFound("NOT_FOUND", "Twilio is not configured on this server (PARLEY_TELEPHONY=twilio)") }
            return telephony
        }

        /// The TwiML for an answered call: its media stream, or a hang-up for a machine when the
        /// campaign hangs up on machines (or for a call this server is not waiting on).
        static func answer(_ request: Request, telephony: TwilioTelephony) async throws -> Response {
            let parameters = try verified(request, telephony: telephony)
            let key = request.parameters.get("key") ?? ""
            guard let (call, _) = await telephony.board.call(key) else { return twiml("<Hangup/>") }
            let answeredBy = parameters.first { $0.0 == "AnsweredBy" }?.1 ?? "unknown"
            let machine = answeredBy.hasPrefix("machine") || answeredBy == "fax"
            if machine && call.voicemail == .hangUp {
                await telephony.board.post(.machineHungUp, to: key)
                return twiml("<Hangup/>")
            }
            let stream = telephony.publicURL.replacingOccurrences(of: "http", with: "ws", options: .anchored) + "/twilio/media/\(key)"
            return twiml("""
                <Connect><Stream url="\(xmlEscaped(stream))"><Parameter name="mode" value="\(machine ? "voicemail" : "conversation")"/>\
                <Parameter name="answered_by" value="\(xmlEscaped(answeredBy))"/></Stream></Connect>
                """)
        }

        /// What the person an announced transfer rings hears once they answer, before the callee
        /// is connected (`<Number url>`).
        static func announce(_ request: Request, telephony: TwilioTelephony) async throws -> Response {
            _ = try verified(request, telephony: telephony)
            let text = await telephony.board.announcement(request.parameters.get("key") ?? "") ?? "Transferring a call to you now."
            return twiml("<Say>\(xmlEscaped(text))</Say>")
        }

        /// A status callback: passed to the call waiting on it.
        static func status(_ request: Request, telephony: TwilioTelephony) async throws -> Response {
            let parameters = try verified(request, telephony: telephony)
            let key = request.parameters.get("key") ?? ""
            let value = { (name: String) in parameters.first { $0.0 == name }?.1 }
            if let status = value("CallStatus") {
                await telephony.board.post(.status(status, answeredBy: value("AnsweredBy")), to: key)
            }
            return Response(status: .noContent)
        }

        /// The form parameters of a webhook whose `X-Twilio-Signature` is right; 403 otherwise.
        static func verified(_ request: Request, telephony: TwilioTelephony) throws -> [(String, String)] {
            let body = request.body.string ?? ""
            let parameters = formFields(body)
            let url = telephony.publicURL + request.url.path + (request.url.query.map { "?\($0)" } ?? "")
            guard TwilioSignature.isValid(request.headers.first(name: "X-Twilio-Signature"), url: url, parameters: parameters,
                                          authToken: telephony.settings.authToken)
            else {
                request.logger.warning("Twilio webhook refused: bad signature", metadata: ["path": "\(request.url.path)"])
                throw APIError(.forbidden, code: "TWILIO_SIGNATURE_INVALID", "The X-Twilio-Signature header does not match this request")
            }
            return parameters
        }

        static func formFields(_ body: String) -> [(String, String)] {
            body.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decoded(_ text: Substring?) -> String {
                    (text.map(String.init) ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                }
                return (decoded(parts.first), decoded(parts.count > 1 ? parts[1] : nil))
            }
        }

        static func twiml(_ verbs: String) -> Response {
            let response = Response(status: .ok, body: .init(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\(verbs)</Response>"))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "xml")
            return response
        }

        static func xmlEscaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
    }
}
