import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleySpeech
import Vapor

/// One Twilio Media Stream (bidirectional, `<Connect><Stream>`): the callee's μ-law 8 kHz audio
/// comes in as `media` messages and goes through the agent's live pipeline; the agent's speech
/// goes out as `media` followed by a `mark`, whose return says Twilio played it. Talking over the
/// agent sends `clear` (barge-in). Both sides are recorded as they overlap, the callee on the left.
/// With `mode` `voicemail` the agent leaves its message after the beep and hangs up.
actor TwilioMediaStream {
    let key: String
    let telephony: TwilioTelephony
    let socket: WebSocket
    let logger: Logger
    let app: Application

    private var streamSID: String?
    private var callSID: String?
    private var call: OutboundCall?
    private var live: LiveConversation?
    private var recorder: CallRecorder?
    /// The agent's audio at 16 kHz, consumed as Twilio plays it (one inbound frame's worth per frame).
    private var playout: [Float] = []
    private var pendingMarks: Set<String> = []
    private var marksSent = 0
    private var upsampler = FrameUpsampler()
    /// Per-turn delays: the end of the callee's speech, the final recognition, the reply.
    private var lastVoiceAt: Date?
    private var heardAt: Date?
    private var recognitionDelay: Double = 0
    private var latencies: [TurnLatency] = []
    private var agentFinished = false
    private var hungUp = false
    private var ended: (reason: String, conversation: Conversation)?
    private var voicemail = false
    private var transferredTo: String?

    init(key: String, telephony: TwilioTelephony, socket: WebSocket, logger: Logger, app: Application) {
        self.key = key
        self.telephony = telephony
        self.socket = socket
        self.logger = logger
        self.app = app
    }

    /// Handles the stream's messages in order until Twilio stops it (or the socket closes).
    func serve(_ inbox: AsyncStream<String>) async {
        for await text in inbox {
            guard let message = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                  let event = message["event"] as? String
            else {
                logger.warning("Twilio media stream: dropped a frame that is not a JSON event", metadata: ["key": "\(key)"])
                continue
            }
            if event == "stop" { break }
            do {
                try await handle(event, message)
            } catch {
                logger.warning("Twilio media stream: \(event) failed", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
        await finish()
    }

    private func handle(_ event: String, _ message: [String: Any]) async throws {
        switch event {
        case "connected":
            return
        case "start":
            try await start(message)
        case "media":
            guard let media = message["media"] as? [String: Any], let payload = media["payload"] as? String,
                  let bytes = Data(base64Encoded: payload), streamSID != nil, message["streamSid"] as? String == streamSID
            else {
                logger.debug("Twilio media stream: dropped a media frame without a payload or for another stream")
                return
            }
            await heard(MuLaw.decode(bytes))
        case "mark":
            guard let name = (message["mark"] as? [String: Any])?["name"] as? String else { return }
            pendingMarks.remove(name)
            if pendingMarks.isEmpty {
                await live?.playback(playing: false)
                if agentFinished { await leaveTheLine() }
            }
        case "dtmf":
            guard let digit = (message["dtmf"] as? [String: Any])?["digit"] as? String, digit.count == 1,
                  "0123456789*#".contains(digit) else { return }
            try await live?.keypad(digit)
        default:
            logger.debug("Twilio media stream: dropped an unknown event \(event)")
        }
    }

    /// The stream's first message: which call it carries. A stream for a call this instance is not
    /// waiting on (or a second stream for one) is closed.
    private func start(_ message: [String: Any]) async throws {
        guard streamSID == nil, let start = message["start"] as? [String: Any],
              let stream = message["streamSid"] as? String ?? start["streamSid"] as? String,
              let sid = start["callSid"] as? String,
              let call = await telephony.board.claimStream(key, callSID: sid),
              let callID = call.callID, let organizationID = call.organizationID
        else {
            logger.warning("Twilio media stream: a start for no call this server is waiting on; closing", metadata: ["key": "\(key)"])
            try? await socket.close(code: .policyViolation)
            return
        }
        streamSID = stream
        callSID = sid
        self.call = call
        recorder = try CallRecorder(url: call.recording)
        let parameters = start["customParameters"] as? [String: Any] ?? [:]
        if parameters["mode"] as? String == "voicemail" {
            voicemail = true
            try await leaveMessage(call)
            return
        }
        guard let conversation = try await app.parley.core.conversations.conversation(publicID: callID.uuidString.lowercased(), organizationID: organizationID)
        else { throw TwilioError.unexpected("the call log \(callID) is gone") }
        let speech = LiveSpeech(recognizer: app.parley.speech.liveRecognizer, synthesizer: app.parley.speech.synthesizer)
        let live = try await app.parley.core.webCalls.live(
            conversation, agent: call.agent, speech: speech, wording: app.parley.prospectWording, settles: false, transfers: true
        ) { [weak self] event in
            await self?.render(event)
        }
        self.live = live
        try await live.start(listening: true)
    }

    /// The callee's audio: recorded beside what the agent is saying, heard by the pipeline.
    private func heard(_ samples: [Float]) async {
        let wide = upsampler.twice(samples)
        let agent = Array(playout.prefix(wide.count))
        playout.removeFirst(agent.count)
        try? await recorder?.append(callee: wide, agent: agent)
        if PCMAudio.rms(wide) > 0.01 { lastVoiceAt = Date() }
        await live?.hear(wide)
    }

    /// A pipeline event on the line.
    private func render(_ event: ConversationEvent) async {
        switch event {
        case .heard(_, let isFinal) where isFinal:
            heardAt = Date()
            recognitionDelay = lastVoiceAt.map { Date().timeIntervalSince($0) } ?? 0
        case .said(_, let audio):
            let reply = heardAt.map { Date().timeIntervalSince($0) }
            guard let audio, let decoded = try? WAVFile.decode(audio) else { return }
            let started = Date()
            await speak(decoded)
            if let reply {
                latencies.append(TurnLatency(turn: latencies.count + 1, recognition: recognitionDelay, reply: reply,
                                             firstAudio: Date().timeIntervalSince(started) + reply))
                heardAt = nil
            }
        case .interrupted:
            // Barge-in: Twilio drops what it has not played yet (and returns its marks).
            playout.removeAll()
            await send(["event": "clear", "streamSid": streamSID ?? ""])
        case .ended(let reason, let conversation):
            ended = (reason, conversation)
            agentFinished = true
            if pendingMarks.isEmpty { await leaveTheLine() }
        default:
            break
        }
    }

    /// Sends the agent's speech as μ-law 8 kHz in 20 ms frames, then a mark to learn when it played.
    private func speak(_ audio: PCMAudio) async {
        let narrow = MuLaw.encode(Resampler.resample(audio.samples, from: audio.sampleRate, to: 8000))
        playout += audio.sampleRate == PCMAudio.analysisSampleRate ? audio.samples
            : Resampler.resample(audio.samples, from: audio.sampleRate, to: PCMAudio.analysisSampleRate)
        guard let streamSID else { return }
        for start in stride(from: 0, to: narrow.count, by: 160) {
            let frame = Data(narrow[start..<min(start + 160, narrow.count)]).base64EncodedString()
            await send(["event": "media", "streamSid": streamSID, "media": ["payload": frame]])
        }
        marksSent += 1
        let name = "agent-\(marksSent)"
        pendingMarks.insert(name)
        await send(["event": "mark", "streamSid": streamSID, "mark": ["name": name]])
        await live?.playback(playing: true)
    }

    /// An answering machine: the agent's message once the greeting has ended (Twilio's detection
    /// waited for the beep), then the call is ended when the message has played.
    private func leaveMessage(_ call: OutboundCall) async throws {
        let pitch = call.playbook
        let message = pitch.voicemailMessage
            ?? "Hi, this is \(pitch.callerName) from \(pitch.organization). I was calling about \(pitch.product). I'll try you again soon, or call us back at your convenience. Thank you!"
        let voice = call.agent.voice(among: app.parley.speech.synthesizer.voiceIDs)
        let spoken = try await app.parley.speech.synthesizer.synthesize(SpeechRequest(text: message, voiceID: voice, speed: call.agent.speakingSpeed))
        if let callID = call.callID {
            try await app.parley.core.conversations.append(
                StoredTurn(sequence: 1, segment: TranscriptSegment(id: 1, speaker: .rep, speakerLabel: "agent", text: message), spokenAt: Date(),
                           sentiment: nil, intent: nil), to: callID)
        }
        agentFinished = true
        await speak(spoken.audio)
    }

    /// The agent's last words have played: it hangs up, or hands the call to the transfer number
    /// (`<Dial>` with the ring timeout; announced, the person first hears who is calling and why).
    private func leaveTheLine() async {
        guard !hungUp, let callSID else { return }
        hungUp = true
        let control = call?.agent.callControl
        do {
            if ended?.reason == "transfer_requested", let control, let number = control.transferNumber {
                var numberVerb = "<Number>\(number)</Number>"
                if control.transferMode == .announced {
                    await telephony.board.announce(announcement(), for: key)
                    let url = VoiceAgents.TwilioRoutes.xmlEscaped("\(telephony.publicURL)/twilio/announce/\(key)")
                    numberVerb = "<Number url=\"\(url)\" method=\"POST\">\(number)</Number>"
                }
                let dial = "<Dial timeout=\"\(control.transferRingTimeout)\" callerId=\"\(telephony.settings.fromNumber)\">\(numberVerb)</Dial>"
                try await telephony.rest.redirect(callSID, twiml: "<Response>\(dial)</Response>")
                transferredTo = number
            } else {
                try await telephony.rest.hangUp(callSID)
            }
        } catch {
            logger.warning("Twilio media stream: ending the agent's part failed", metadata: ["call": "\(callSID)", "error": "\(error)"])
        }
    }

    /// What the person hears before an announced transfer: who is on the line and what it is about.
    private func announcement() -> String {
        let product = call?.playbook.product ?? ""
        return "Transfer from \(call?.agent.name ?? "the voice agent"): a call with \(call?.phoneNumber ?? "a caller") about "
            + "\(product.isEmpty ? "our offer" : product). They asked to speak with a person."
    }

    /// The stream is over: the pipeline ends (the callee hung up, unless the agent ended first),
    /// the recording is closed and the call waiting on it told how it went.
    private func finish() async {
        guard let call else { return }
        if let live, ended == nil {
            try? await live.end(reason: "callee_hung_up")
        }
        let seconds = (try? await recorder?.finish()) ?? 0
        let result: CallResult
        if voicemail {
            result = CallResult(status: .voicemail, endReason: "voicemail_message_left", recordingSeconds: seconds)
        } else if let ended {
            let reason = transferredTo.map { "transferred:\($0) (\(call.agent.callControl.transferMode.rawValue))" } ?? ended.reason
            result = AgentWebCalls.result(of: ended.conversation, reason: reason, recordingSeconds: seconds, latencies: latencies)
        } else {
            result = CallResult(status: .failed, endReason: "failed: the media stream ended before the call started", recordingSeconds: seconds)
        }
        await telephony.board.post(.ended(result), to: key)
    }

    private func send(_ message: [String: Any]) async {
        guard let data = try? JSONSerialization.data(withJSONObject: message) else { return }
        try? await socket.send(String(decoding: data, as: UTF8.self))
    }
}
