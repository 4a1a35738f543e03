// A worker module that fails as it starts: readNativeFiles must then read every range itself.
throw new Error("this worker cannot start");
