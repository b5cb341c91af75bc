using System;
using System.Runtime.InteropServices;
using AutomateAudit.Endpoint.Platform.Linux;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Platform
{
    /// <summary>The OS boundary of the machine this runs on.</summary>
    internal static class ThisMachine
    {
        /// <summary>The session source and machine facts for this OS; utmpPath and wtmpPath read other files on Linux (as `who FILE`, `last -f FILE`).</summary>
        public static (ISessionSource Sessions, IMachineInfo Machine) Open(string utmpPath = null, string wtmpPath = null)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                var machine = new WindowsMachineInfo();
                return (new WindowsSessionSource(machine), machine);
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                var machine = new LinuxMachineInfo();
                return (new LinuxSessionSource(utmpPath, wtmpPath, machine: machine), machine);
            }
            throw new PlatformNotSupportedException("AutomateAudit does not read sessions on " + RuntimeInformation.OSDescription +
                " yet: Windows and Linux endpoints are supported. macOS support is not built.");
        }
    }
}
