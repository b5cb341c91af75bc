using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>
    /// The scheduled task that starts the sampler at every user's logon, as Task Scheduler 1.2 XML. Pure.
    /// </summary>
    /// <remarks>
    /// Element names and types from the Task Scheduler schema ([MS-TSCH] 2.5; learn.microsoft.com
    /// taskschedulerschema-*): Settings and Principal are xs:all (any order); LogonTrigger extends triggerBaseType with
    /// a sequence (Enabled before UserId/Delay); Exec is a sequence Command, Arguments, WorkingDirectory.
    /// - LogonTrigger without UserId: any user's logon.
    /// - Principal GroupId S-1-5-32-545 (BUILTIN\Users), RunLevel LeastPrivilege: the task runs as the user who logged
    ///   on, in that user's session, unelevated; registered with TASK_LOGON_GROUP.
    /// - MultipleInstancesPolicy Parallel (not IgnoreNew): instances are counted per task, and with a group principal
    ///   one task serves every user, so IgnoreNew could keep a second user's sampler (fast user switching, Remote
    ///   Desktop) from starting while the first one's runs, which is forever. Unconfirmed either way here; duplicates
    ///   are impossible anyway, the sampler holds a per-session mutex (Local\AutomateAudit.IdleSampler).
    /// - ExecutionTimeLimit PT0S: no limit (the default, 72 hours, would kill the sampler).
    /// - Batteries: start and keep running on battery. Hidden: not listed in the Task Scheduler UI by default.
    /// - Priority 7 (below normal), the default.
    /// </remarks>
    internal static class IdleSamplerTask
    {
        public const string TaskName = "AutomateAudit Idle Sampler";
        public const string UsersGroupSid = "S-1-5-32-545";
        public const string InstancesPolicy = "Parallel";
        public static readonly XNamespace Ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";

        /// <summary>The task XML for the sampler at <paramref name="exePath"/> (a full path) with its arguments (may be empty).</summary>
        public static string BuildXml(string exePath, string arguments)
        {
            if (!IsFullPath(exePath))
                throw new ArgumentException("The sampler's path must be a full path.", nameof(exePath));
            var exec = new XElement(Ns + "Exec", new XElement(Ns + "Command", exePath));
            if (!string.IsNullOrEmpty(arguments)) exec.Add(new XElement(Ns + "Arguments", arguments));
            exec.Add(new XElement(Ns + "WorkingDirectory", exePath.Substring(0, exePath.LastIndexOfAny(new[] { '\\', '/' }))));

            var task = new XElement(Ns + "Task", new XAttribute("version", "1.2"),
                new XElement(Ns + "RegistrationInfo",
                    new XElement(Ns + "Author", "AutomateAudit"),
                    new XElement(Ns + "Description",
                        "Starts the AutomateAudit idle sampler in each user's session at logon. It records when the user is active or idle " +
                        "(%LOCALAPPDATA%\\AutomateAudit). Remove it with Unregister-IdleSampler.")),
                new XElement(Ns + "Triggers",
                    new XElement(Ns + "LogonTrigger", new XElement(Ns + "Enabled", "true"))),
                new XElement(Ns + "Principals",
                    new XElement(Ns + "Principal", new XAttribute("id", "Users"),
                        new XElement(Ns + "GroupId", UsersGroupSid),
                        new XElement(Ns + "RunLevel", "LeastPrivilege"))),
                new XElement(Ns + "Settings",
                    new XElement(Ns + "MultipleInstancesPolicy", InstancesPolicy),
                    new XElement(Ns + "DisallowStartIfOnBatteries", "false"),
                    new XElement(Ns + "StopIfGoingOnBatteries", "false"),
                    new XElement(Ns + "AllowHardTerminate", "true"),
                    new XElement(Ns + "StartWhenAvailable", "false"),
                    new XElement(Ns + "RunOnlyIfNetworkAvailable", "false"),
                    new XElement(Ns + "IdleSettings",
                        new XElement(Ns + "StopOnIdleEnd", "false"),
                        new XElement(Ns + "RestartOnIdle", "false")),
                    new XElement(Ns + "AllowStartOnDemand", "true"),
                    new XElement(Ns + "Enabled", "true"),
                    new XElement(Ns + "Hidden", "true"),
                    new XElement(Ns + "RunOnlyIfIdle", "false"),
                    new XElement(Ns + "WakeToRun", "false"),
                    new XElement(Ns + "ExecutionTimeLimit", "PT0S"),
                    new XElement(Ns + "Priority", "7")),
                new XElement(Ns + "Actions", new XAttribute("Context", "Users"), exec));
            return new XDocument(task).ToString(SaveOptions.None);
        }

        /// <summary>A Windows full path (C:\... or \\server\share\...) whatever the OS this runs on, or a rooted path of this OS.</summary>
        public static bool IsFullPath(string path)
        {
            if (string.IsNullOrWhiteSpace(path) || path.IndexOfAny(new[] { '\0', '\r', '\n', '"' }) >= 0) return false;
            if (path.Length >= 3 && ((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':' && (path[2] == '\\' || path[2] == '/')) return true;
            if (path.StartsWith("\\\\", StringComparison.Ordinal) && path.Length > 2) return true;
            return System.IO.Path.DirectorySeparatorChar == '/' && path[0] == '/';
        }
    }

    /// <summary>
    /// Registers and deletes a task through the Task Scheduler 2.0 COM API ("Schedule.Service"), late-bound through
    /// IDispatch as a script would: no interop assembly. Thin; Windows only; registering needs an administrator or SYSTEM.
    /// </summary>
    internal static class TaskSchedulerCom
    {
        public const int TASK_CREATE_OR_UPDATE = 6;
        public const int TASK_LOGON_GROUP = 4;
        /// <summary>HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): no such task.</summary>
        public const int HResultNotFound = unchecked((int)0x80070002);

        public static void Register(string name, string xml)
        {
            Invoke(folder => Call(folder, "RegisterTask", name, xml, TASK_CREATE_OR_UPDATE, null, null, TASK_LOGON_GROUP));
        }

        /// <summary>Deletes the task; false when there was none.</summary>
        public static bool Delete(string name)
        {
            bool deleted = true;
            Invoke(folder =>
            {
                try { Call(folder, "DeleteTask", name, 0); }
                catch (COMException e) when (e.ErrorCode == HResultNotFound) { deleted = false; }
                return null;
            });
            return deleted;
        }

        private static void Invoke(Func<object, object> action)
        {
            Type type = Type.GetTypeFromProgID("Schedule.Service", throwOnError: true);
            object service = Activator.CreateInstance(type);
            object folder = null, result = null;
            try
            {
                Call(service, "Connect");
                folder = Call(service, "GetFolder", "\\");
                result = action(folder);
            }
            finally
            {
                Release(result);
                Release(folder);
                Release(service);
            }
        }

        private static object Call(object target, string method, params object[] args)
        {
            try
            {
                return target.GetType().InvokeMember(method, BindingFlags.InvokeMethod, null, target, args);
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                // Surface the COMException (with its HRESULT) rather than the reflection wrapper.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        private static void Release(object com)
        {
            if (com != null && Marshal.IsComObject(com)) Marshal.FinalReleaseComObject(com);
        }
    }
}
