namespace Balance;

/// <summary>sysexits.h codes, as the original used them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 64;
    public const int DataError = 65;
    public const int Unavailable = 69;
    public const int Software = 70;
    public const int OsError = 71;
    public const int IoError = 74;
    public const int NoPermission = 77;
}
