import { Reelsmith, VideoGenerationRequest } from '@reelsmith/client'

const client = Reelsmith.fromEnv()

// Generate a video from a text prompt
const request = new VideoGenerationRequest('A serene landscape with mountains')
const response = await client.generateVideo(request)

console.log(`Video URL: ${response.video_url}`)
console.log(`Task ID: ${response.task_id}`)
console.log(`Status: ${response.status}`)
