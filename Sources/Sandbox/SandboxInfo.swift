/// The local emulator of the platform APIs (placeholder until the sandbox lands).
public enum SandboxInfo {}
