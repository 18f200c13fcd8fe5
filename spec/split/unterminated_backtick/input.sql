SELECT `ab``c;
