// The control plane names the write path's error kinds as its own: one vocabulary, two names.
global using ControlError = Rdns.Zones.Writes.WriteError;
