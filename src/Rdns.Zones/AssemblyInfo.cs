namespace Rdns.Zones;
