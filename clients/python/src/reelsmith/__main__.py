from reelsmith.cli import main

raise SystemExit(main())
