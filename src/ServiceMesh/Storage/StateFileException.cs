namespace ServiceMesh.Storage;

/// <summary>
/// A state file the runtime keeps (under DATA_PATH) cannot be read at start. The message names the file, the cause
/// and the fix; the file is left as it is, and the process stops (exit 74) rather than start without what it holds.
/// </summary>
internal sealed class StateFileException : Exception
{
    public StateFileException(string message) : base(message) { }

    public StateFileException(string message, Exception inner) : base(message, inner) { }

    public StateFileException() { }
}
