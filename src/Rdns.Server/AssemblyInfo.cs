namespace Rdns.Server;
